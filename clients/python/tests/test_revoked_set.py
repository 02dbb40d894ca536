"""The bounded revoked set and its eviction watermark (pure logic, fixed clock)."""

from __future__ import annotations

from dataclasses import replace
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


def test_when_entries_expire_then_they_are_forgotten_and_the_watermark_rises() -> None:
    now = [T0]
    revoked = RevokedSet(10, timedelta(minutes=5), clock=lambda: now[0])
    revoked.apply(event(1))
    now[0] = T0 + timedelta(minutes=6)
    assert not revoked.sid_revoked("sid-1")
    # Expired but not yet dropped: forgotten, not live.
    assert revoked.forgotten_before("sid-1", None) == T0
    assert revoked.forgotten_before("sid-other", None) is None
    revoked.apply(event(2, at=now[0]))
    # Dropped now: remembered only through the watermark.
    assert len(revoked) == 1
    assert revoked.watermark == T0
    assert revoked.forgotten_before("sid-other", None) == T0


def test_when_replayed_event_already_expired_then_it_raises_the_watermark() -> None:
    revoked = RevokedSet(10, timedelta(minutes=5), clock=lambda: T0)
    revoked.apply(event(1, at=T0 - timedelta(hours=1)))
    assert len(revoked) == 0
    assert revoked.watermark == T0 - timedelta(hours=1)


def test_an_expired_user_entry_is_forgotten_for_its_user_only() -> None:
    now = [T0]
    revoked = RevokedSet(10, timedelta(minutes=5), clock=lambda: now[0])
    revoked.apply(replace(event(1), type=EventType.USER_REVOKED, sid=None, sub="alice"))
    assert revoked.user_revoked_before("alice") == T0
    now[0] = T0 + timedelta(minutes=6)
    assert revoked.user_revoked_before("alice") is None
    assert revoked.forgotten_before(None, "alice") == T0
    assert revoked.forgotten_before(None, "bob") is None


def test_forget_before_only_ever_raises_the_watermark() -> None:
    revoked = RevokedSet(10, timedelta(hours=10), clock=lambda: T0)
    revoked.forget_before(T0 - timedelta(hours=24))
    assert revoked.watermark == T0 - timedelta(hours=24)
    revoked.forget_before(T0 - timedelta(hours=30))
    assert revoked.watermark == T0 - timedelta(hours=24), "an earlier instant lowered it"
    revoked.apply(event(1, at=T0 - timedelta(hours=11)))  # replayed already expired
    assert revoked.watermark == T0 - timedelta(hours=11)
    revoked.forget_before(T0 - timedelta(hours=24))
    assert revoked.watermark == T0 - timedelta(hours=11)
