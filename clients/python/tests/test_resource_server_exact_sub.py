"""A bearer token's ``sub`` and ``sid`` are judged exactly as the token holds them (SPEC §3.4):
the broker's SubjectRule admits a ``sub`` of white space only, or with leading or trailing
spaces (a user-storage user's id is its provider's choice), so trimming it, or taking it for no
``sub``, would check another user's revocations or none."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import pytest

from session_broker.resource_server import bearer_token_revoked


def forged(claims: dict[str, Any]) -> str:
    def b64(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    return b64('{"alg":"RS256","kid":"k"}') + "." + b64(json.dumps(claims)) + ".c2ln"


class RecordingChecker:
    """Records the ids it is asked about; revoked when asked about ``revoked_sub``."""

    def __init__(self, revoked_sub: str) -> None:
        self.revoked_sub = revoked_sub
        self.asked: list[tuple[str | None, str | None]] = []

    def is_revoked(
        self, sid: str | None = None, sub: str | None = None, created_at: datetime | None = None
    ) -> bool:
        self.asked.append((sid, sub))
        return sub == self.revoked_sub


@pytest.mark.parametrize("sub", ["\u2003", " ", " f:ldap:x", "f:ldap:x "])
def test_the_sub_is_checked_exactly_as_the_token_holds_it(sub: str) -> None:
    checker = RecordingChecker(revoked_sub=sub)
    token = forged({"typ": "Bearer", "sub": sub, "sid": "s1", "iat": 1_700_000_000})

    assert bearer_token_revoked(checker, "Bearer " + token) is True
    assert checker.asked == [("s1", sub)]


def test_a_sub_with_a_space_is_not_taken_for_the_user_without_it() -> None:
    checker = RecordingChecker(revoked_sub="f:ldap:x")
    token = forged({"typ": "Bearer", "sub": " f:ldap:x", "iat": 1_700_000_000})

    assert bearer_token_revoked(checker, "Bearer " + token) is False
    assert checker.asked == [(None, " f:ldap:x")]
