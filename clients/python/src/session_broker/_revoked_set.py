"""The local, bounded memory of revocations (SPEC §3.4 "bounded revoked set with watermark")."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .events import EventType, RevocationEvent

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(timezone.utc)


@dataclass
class _Entry:
    revoked_before: datetime
    expires_at: datetime


class RevokedSet:
    """Revoked sids, revoked local session ids and users revoked before an instant, plus the
    client-wide not-before.

    Each entry expires ``ttl`` after its event's ``at`` (a session cannot outlive Keycloak's SSO
    Session Max, so an older revocation can no longer matter). Beyond ``max_entries`` the oldest
    entries are evicted, and the eviction *watermark* rises to the latest revocation time evicted:
    a session created before it may have been revoked by a forgotten entry, so it is *unknown*
    rather than live (:meth:`is_unknown`).

    Thread-safe: the subscriber thread writes, request threads read.
    """

    def __init__(self, max_entries: int, ttl: timedelta, clock: Clock = utc_now) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        self._max_entries = max_entries
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._client_not_before: datetime | None = None
        self._watermark: datetime | None = None
        self._lock = threading.Lock()

    def apply(self, event: RevocationEvent) -> None:
        """Records what the event revokes."""
        expires_at = event.at + self._ttl
        with self._lock:
            if event.type is EventType.SESSION_REVOKED and event.sid is not None:
                self._put("sid:" + event.sid, event.at, expires_at)
            for session_id in event.session_ids:
                self._put("session:" + session_id, event.at, expires_at)
            if event.type is EventType.USER_REVOKED and event.sub is not None:
                self._put("sub:" + event.sub, event.at, expires_at)
            if event.type is EventType.CLIENT_REVOKED and event.not_before is not None:
                current = self._client_not_before
                if current is None or event.not_before > current:
                    self._client_not_before = event.not_before
            self._drop_expired_and_overflow()

    def sid_revoked(self, sid: str) -> bool:
        """Whether the SSO session ``sid`` is in the set."""
        return self._live("sid:" + sid) is not None

    def session_revoked(self, session_id: str) -> bool:
        """Whether the broker listed this local session id in a revocation."""
        return self._live("session:" + session_id) is not None

    def user_revoked_before(self, sub: str) -> datetime | None:
        """Sessions of ``sub`` created before this instant are revoked; ``None``: no entry."""
        entry = self._live("sub:" + sub)
        return None if entry is None else entry.revoked_before

    @property
    def client_not_before(self) -> datetime | None:
        """Sessions of the client created before this instant are revoked."""
        return self._client_not_before

    @property
    def watermark(self) -> datetime | None:
        """Revocations at or before this instant may have been evicted; ``None``: none were."""
        return self._watermark

    def __len__(self) -> int:
        return len(self._entries)

    def _put(self, key: str, revoked_before: datetime, expires_at: datetime) -> None:
        if expires_at <= self._clock():
            return  # Replayed from long ago: every session it could revoke has expired.
        previous = self._entries.pop(key, None)
        if previous is not None:
            revoked_before = max(previous.revoked_before, revoked_before)
            expires_at = max(previous.expires_at, expires_at)
        self._entries[key] = _Entry(revoked_before, expires_at)

    def _drop_expired_and_overflow(self) -> None:
        now = self._clock()
        # Insertion order is not expiry order (replays), so expired entries are dropped in a
        # sweep only when the set is over its bound; lookups ignore expired entries anyway.
        if len(self._entries) <= self._max_entries:
            return
        for key in [k for k, e in self._entries.items() if e.expires_at <= now]:
            del self._entries[key]
        while len(self._entries) > self._max_entries:
            _, evicted = self._entries.popitem(last=False)
            if self._watermark is None or evicted.revoked_before > self._watermark:
                self._watermark = evicted.revoked_before

    def _live(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        return entry if entry is not None and entry.expires_at > self._clock() else None
