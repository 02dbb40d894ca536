"""The bounded revoked set and its eviction watermark (pure logic, fixed clock)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from session_broker._revoked_set import RevokedSet
from session_broker.events import EventType, Reason, RevocationEvent

T0 = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)


def event(n: int, *, sid: str | None = None, at: datetime = T0) -> RevocationEvent:
    return RevocationEvent(
        id=f"{n}-0",
        type=EventType.SESSION_REVOKED,
        reason=Reason.BACKCHANNEL_LOGOUT,
        issuer="acme",
        client_id="app1",
        sid=sid or f"sid-{n}",
        sub=None,
        session_ids=(),
        at=at,
        not_before=None,
    )


def test_when_over_the_bound_then_the_oldest_is_evicted_and_the_watermark_rises() -> None:
    revoked = RevokedSet(2, timedelta(hours=10), clock=lambda: T0)
    for n in range(3):
        revoked.apply(event(n, at=T0 + timedelta(seconds=n)))
    assert len(revoked) == 2
    assert not revoked.sid_revoked("sid-0")
    assert revoked.sid_revoked("sid-1") and revoked.sid_revoked("sid-2")
    assert revoked.watermark == T0


def test_when_entries_expire_then_they_are_no_longer_revoked_and_no_watermark() -> None:
    now = [T0]
    revoked = RevokedSet(10, timedelta(minutes=5), clock=lambda: now[0])
    revoked.apply(event(1))
    now[0] = T0 + timedelta(minutes=6)
    assert not revoked.sid_revoked("sid-1")
    assert revoked.watermark is None


def test_when_replayed_event_already_expired_then_it_is_not_stored() -> None:
    revoked = RevokedSet(10, timedelta(minutes=5), clock=lambda: T0)
    revoked.apply(event(1, at=T0 - timedelta(hours=1)))
    assert len(revoked) == 0
