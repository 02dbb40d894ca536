"""``Retry-After`` of a ``503 registry_full`` answer (RFC 9110 §10.2.3), read into whole seconds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import Message
from email.utils import format_datetime

import pytest

from session_broker.registration import _retry_after


def headers(value: str | None) -> Message:
    message = Message()
    if value is not None:
        message["Retry-After"] = value
    return message


@pytest.mark.parametrize(("value", "seconds"), [("30", 30), (" 0 ", 0), ("120", 120)])
def test_delta_seconds_are_read_as_given(value: str, seconds: int) -> None:
    assert _retry_after(headers(value)) == seconds


def test_an_http_date_counts_from_now_and_never_below_zero() -> None:
    later = datetime.now(timezone.utc) + timedelta(seconds=90)
    assert 80 <= (_retry_after(headers(format_datetime(later, usegmt=True))) or 0) <= 90
    earlier = datetime.now(timezone.utc) - timedelta(hours=1)
    assert _retry_after(headers(format_datetime(earlier, usegmt=True))) == 0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "\u0663\u0660"])
def test_absent_or_unreadable_is_none(value: str | None) -> None:
    assert _retry_after(headers(value)) is None


@pytest.mark.parametrize(
    "value",
    [
        "1 Jan 99999999999999999999 00:00 GMT",
        "Fri, 31 Dec 9999 23:59:60 GMT",
        "Mon, 01 Jan 0000 00:00:00 GMT",
        "Wed, 32 Foo 2026 25:61:61 GMT",
        "Thu, 01 Jan 1970 00:00:00 +9999999999999999999999",
        "9" * 5000,
        "Mon,",
        ", , , ,",
        "\x00",
        "1 Jan",
    ],
)
def test_any_header_value_gives_seconds_or_none_and_never_raises(value: str) -> None:
    seconds = _retry_after(headers(value))
    assert seconds is None or seconds >= 0
