"""Token times (NumericDate) read by the library: every value that is no instant is "unreadable"
(``None``), never an exception (pure logic)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from session_broker._numeric_date import numeric_date
from session_broker.django import runtime


@pytest.mark.parametrize(
    "claim",
    ["1e300", "-1e300", "NaN", "Infinity", "-Infinity", "99999999999999", "1" + "0" * 400],
)
def test_a_number_that_is_no_instant_is_unreadable(claim: str) -> None:
    assert numeric_date(json.loads(claim)) is None


@pytest.mark.parametrize("value", [None, True, False, "1700000000", [1], {"s": 1}])
def test_a_value_that_is_no_number_is_unreadable(value: object) -> None:
    assert numeric_date(value) is None


def test_a_numeric_date_is_an_aware_utc_instant() -> None:
    assert numeric_date(1764460800) == datetime(2025, 11, 30, tzinfo=timezone.utc)
    assert numeric_date(1764460800.5) == datetime(2025, 11, 30, 0, 0, 0, 500000, timezone.utc)
    assert numeric_date(0) == datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_the_django_session_state_uses_the_same_rule() -> None:
    assert runtime.created_at({"created_at": 1e300}) is None
    assert runtime.created_at({"created_at": 1764460800}) == datetime(
        2025, 11, 30, tzinfo=timezone.utc
    )
