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

    Each entry expires ``ttl`` after its event's ``at`` (Keycloak's SSO Session Max), and beyond
    ``max_entries`` the oldest entries are evicted. Forgetting must never make a revoked session
    look live: an app's own session (a Django session lives two weeks by default) can outlive the
    SSO session it began with. So every forgotten revocation, whether evicted, expired, or
    replayed already expired, raises the *watermark* to its time, and an entry that has expired
    but is not yet dropped counts as forgotten too: a session created before either is *unknown*
    rather than live (:meth:`forgotten_before`), and the client's ``recheck`` policy decides it.
    The same rule as the Java library's ``RevokedSet``.

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

    def sid_revoked_before(self, sid: str) -> datetime | None:
        """Sessions of the SSO session ``sid`` created before this instant are revoked; ``None``:
        no entry."""
        entry = self._live("sid:" + sid)
        return None if entry is None else entry.revoked_before

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
        """Revocations at or before this instant may have been forgotten (evicted, expired or
        replayed already expired); ``None``: none was."""
        return self._watermark

    def forgotten_before(self, sid: str | None, sub: str | None) -> datetime | None:
        """Revocations of ``sid``/``sub`` before this instant may have been forgotten: the later
        of the watermark and the time of any expired, not yet dropped entry of ``sid`` or
        ``sub``; ``None``: nothing forgotten concerns them."""
        latest = self._watermark
        now = self._clock()
        for prefix, name in (("sid:", sid), ("sub:", sub)):
            entry = None if name is None else self._entries.get(prefix + name)
            if entry is None or entry.expires_at > now:
                continue
            if latest is None or entry.revoked_before > latest:
                latest = entry.revoked_before
        return latest

    def forget_before(self, instant: datetime) -> None:
        """Declares that revocations before ``instant`` may have been forgotten without passing
        through this set (the broker's retention trimmed them from the stream before this process
        read them): raises the watermark to ``instant`` when it is later, as an eviction does."""
        with self._lock:
            self._raise_watermark(instant)

    def __len__(self) -> int:
        return len(self._entries)

    def _put(self, key: str, revoked_before: datetime, expires_at: datetime) -> None:
        if expires_at <= self._clock():
            # Replayed from long ago: remembered only through the watermark.
            self._raise_watermark(revoked_before)
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            revoked_before = max(previous.revoked_before, revoked_before)
            expires_at = max(previous.expires_at, expires_at)
        self._entries[key] = _Entry(revoked_before, expires_at)

    def _drop_expired_and_overflow(self) -> None:
        # Oldest update first. Replays make that differ from expiry order, so an expired entry
        # behind a live one stays until it reaches the front; lookups count it as forgotten.
        now = self._clock()
        while self._entries:
            key, oldest = next(iter(self._entries.items()))
            if len(self._entries) <= self._max_entries and oldest.expires_at > now:
                break
            del self._entries[key]
            self._raise_watermark(oldest.revoked_before)

    def _raise_watermark(self, revoked_before: datetime) -> None:
        if self._watermark is None or revoked_before > self._watermark:
            self._watermark = revoked_before

    def _live(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        return entry if entry is not None and entry.expires_at > self._clock() else None
