"""The subscriber: keeps a local revoked set current from the broker's channel and stream."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from types import TracebackType

import redis

from ._redis import EVENT_FIELD, PubSubMode, RedisConnections, channel_name, stream_key
from ._revoked_set import Clock, RevokedSet, utc_now
from ._stream_id import ZERO, StreamId
from .events import (
    EventFormatError,
    RevocationEvent,
    event_id_of,
    parse_event,
    parse_stream_entry,
)
from .exceptions import SessionBrokerError, StartupError
from .stores import InMemoryLastSeenIdStore, LastSeenIdStore

__all__ = ["RecheckPolicy", "RevocationListener", "SessionBrokerClient"]

_LOG = logging.getLogger("session_broker")

RevocationListener = Callable[[RevocationEvent], object]
"""Called with each revocation event, once, in stream order, on the client's subscriber thread."""

RecheckPolicy = Callable[[str | None, str | None, datetime | None], bool]
"""Decides a session the revoked set can no longer answer for (created before a revocation it
has forgotten, see :attr:`SessionBrokerClient.eviction_watermark`): called with
``(sid, sub, created_at)``, returns whether it is revoked. Typically a re-check over HTTP
(``GET /api/v1/sessions/...``)."""

_FIRST_RETRY_DELAY = 0.1
_POLL_INTERVAL = 0.5
_MAX_REMEMBERED_LIVE_IDS = 10_000


class SessionBrokerClient:
    """Receives the broker's revocation events for one client and answers ``is_revoked`` from
    memory (SPEC §3.5, guarantees of §3.4).

    The channel is subscribed first; each time Redis confirms the subscription (at start and after
    every reconnect) the stream is read after the *cursor*, the id of the last event read from the
    stream in order. The broker appends to the stream before it publishes, so every event is
    either in the stream when the catch-up reads it or published after the subscription was in
    place. A live message wakes a stream read; only when the stream cannot be read is the live
    payload delivered by itself, and then it is remembered for dedupe but never moves the cursor
    (events before it may not have been read yet). Every event reaches the listeners once, in
    stream order, on one thread; a listener that raises is logged and delivery goes on.

    A stored cursor (:class:`FileLastSeenIdStore`) decides only which events reach the listeners,
    never what the revoked set knows. The revoked set lives in memory, so every start reads the
    stream from its beginning, as ``start_from="retained"`` does, and applies every retained event
    to it; listeners are called only for events after the stored id (they got the others before
    the restart). Sessions outlive the process (Django keeps them in the database), so a session
    logged out before a restart is still revoked after it. The cost: start-up reads the retained
    stream, bounded by the broker's retention (24 h by default).

    What the retention trimmed is no longer in the stream, so every start (and a reconnect that
    finds events trimmed unread) also raises the revoked set's watermark over it: the broker trims
    only from the head, and an entry only once it is older than the retention, so revocations
    before the earlier of the oldest retained entry's time and ``now - stream_retention`` may be
    gone, none after it (``now - stream_retention`` when the stream is empty or missing). A
    restart therefore never makes a revoked session look live; sessions older than that are
    decided by ``recheck`` (or treated as revoked), as after any forgotten revocation.

    Args:
        redis_url: ``redis://host:port[/db]`` (also ``rediss://``, ``unix://``, user and password
            in the URL); ``redis-sentinel://host:port[,host:port]#<master>`` for Sentinel; one or
            more comma-separated ``redis://host:port`` seed nodes with ``cluster=True``.
        issuer_alias: the broker's issuer alias (``session-broker.issuers.<alias>``).
        client_id: the Keycloak client id of this app.
        last_seen_store: where the cursor is kept; default in memory (a restarted process
            replays what the stream retains to its listeners too). With
            :class:`FileLastSeenIdStore` the listeners of a restarted process get only the events
            after the stored id; the revoked set is rebuilt from the whole retained stream either
            way.
        key_prefix: the broker's ``session-broker.redis.key-prefix``.
        cluster: ``redis_url`` names Redis Cluster seed nodes.
        pub_sub_mode: classic or sharded pub/sub; ``auto`` is sharded in Cluster.
        revoked_set_max_entries: how many sids, session ids and users are remembered; beyond it
            the oldest are evicted and the eviction watermark rises.
        revoked_entry_ttl: how long a revocation is remembered after its ``at`` (Keycloak's SSO
            Session Max; default 10 hours); an expired one raises the eviction watermark too.
        stream_retention: how long the broker keeps events in the stream; must be at least the
            broker's ``session-broker.events.retention`` (default 24 hours; a larger value only
            makes this client stricter). Sets the watermark raised at start, see above.
        clock_skew: allowance between this host's clock and the broker's/Keycloak's when
            comparing a session's ``created_at`` with a revocation time (default 5 s).
        recheck: decides sessions created before a forgotten revocation (the eviction watermark,
            or an expired entry of their ``sid``/``sub``); ``None`` (default) treats them as
            revoked. Never lets a forgotten revocation look live.
        start_from: with no stored cursor, ``"retained"`` (default) replays what the stream
            retains, ``"now"`` starts after its newest entry. Ignored when a cursor is stored:
            then the revoked set is rebuilt as with ``"retained"``.
        catch_up_batch_size: entries per ``XRANGE`` call.
        start_timeout: seconds :meth:`start` waits for the first catch-up before it fails
            (default 30).
        command_timeout: Redis socket connect/read timeout, seconds.
        max_reconnect_delay: upper bound of the exponential reconnect back-off, seconds.
        clock: the current instant (tests).

    Raises:
        ValueError: an argument is out of range or ``redis_url`` is malformed.
    """

    def __init__(
        self,
        redis_url: str,
        issuer_alias: str,
        client_id: str,
        *,
        last_seen_store: LastSeenIdStore | None = None,
        key_prefix: str = "sb",
        cluster: bool = False,
        pub_sub_mode: PubSubMode | str = PubSubMode.AUTO,
        revoked_set_max_entries: int = 100_000,
        revoked_entry_ttl: timedelta = timedelta(hours=10),
        stream_retention: timedelta = timedelta(hours=24),
        clock_skew: timedelta = timedelta(seconds=5),
        recheck: RecheckPolicy | None = None,
        start_from: str = "retained",
        catch_up_batch_size: int = 500,
        start_timeout: float = 30.0,
        command_timeout: float = 5.0,
        max_reconnect_delay: float = 5.0,
        clock: Clock = utc_now,
    ) -> None:
        for name, value in (
            ("redis_url", redis_url),
            ("issuer_alias", issuer_alias),
            ("client_id", client_id),
            ("key_prefix", key_prefix),
        ):
            if not value or not value.strip():
                raise ValueError(f"{name} must not be blank")
        if start_from not in ("retained", "now"):
            raise ValueError("start_from must be 'retained' or 'now'")
        for name, number in (
            ("catch_up_batch_size", catch_up_batch_size),
            ("start_timeout", start_timeout),
            ("command_timeout", command_timeout),
            ("max_reconnect_delay", max_reconnect_delay),
        ):
            if number <= 0:
                raise ValueError(f"{name} must be positive")
        if clock_skew < timedelta(0):
            raise ValueError("clock_skew must not be negative")
        if stream_retention <= timedelta(0):
            raise ValueError("stream_retention must be positive")
        self._redis_url = redis_url
        self._cluster = cluster
        self._pub_sub_mode = PubSubMode(pub_sub_mode)
        self.issuer_alias = issuer_alias
        self.client_id = client_id
        self.channel = channel_name(key_prefix, issuer_alias, client_id)
        self.stream_key = stream_key(key_prefix, issuer_alias, client_id)
        self._store = last_seen_store if last_seen_store is not None else InMemoryLastSeenIdStore()
        self._revoked = RevokedSet(revoked_set_max_entries, revoked_entry_ttl, clock)
        self._clock_skew = clock_skew
        self._stream_retention = stream_retention
        self._clock = clock
        self._recheck = recheck
        self._start_from = start_from
        self._batch = catch_up_batch_size
        self._start_timeout = start_timeout
        self._command_timeout = command_timeout
        self._max_reconnect_delay = max_reconnect_delay
        self._listeners: list[RevocationListener] = []
        self._listeners_lock = threading.Lock()
        self._closed = threading.Event()
        self._caught_up = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_error: BaseException | None = None
        # Subscriber-thread state: the cursor and the ids delivered live beyond it.
        self._cursor: StreamId | None = None
        # The stored cursor at start: events up to it reached the listeners before the restart,
        # so reading them again only rebuilds the revoked set.
        self._resume_after: StreamId | None = None
        self._saved: StreamId | None = None
        self._live_ids: set[StreamId] = set()
        self._catch_up_due: float | None = None
        self._catch_up_delay = _FIRST_RETRY_DELAY
        self._reconnect_delay = _FIRST_RETRY_DELAY

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> SessionBrokerClient:
        """Connects, subscribes and reads the stream up to its end, so the revoked set is
        complete from the first request on; then keeps it current on a daemon thread. With a
        stored cursor the stream is read from its beginning too (the revoked set starts empty in
        every process), and listeners get only the events after the stored id.

        Returns:
            this client.

        Raises:
            StartupError: no successful catch-up within ``start_timeout`` seconds (Redis
                unreachable, wrong credentials, ...), or the stored cursor cannot be read; the
                client is closed.
            SessionBrokerError: already started or closed.
        """
        if self._thread is not None or self._closed.is_set():
            raise SessionBrokerError("start() may be called once, before close()")
        try:
            stored = self._store.load()
            self._resume_after = StreamId.parse(stored) if stored else None
        except (OSError, ValueError) as e:
            self._closed.set()
            raise StartupError(f"cannot read the last seen id: {e}") from e
        self._cursor = None
        self._saved = self._resume_after
        self._thread = threading.Thread(
            target=self._run, name=f"session-broker-{self.client_id}", daemon=True
        )
        self._thread.start()
        if not self._caught_up.wait(self._start_timeout):
            cause = self._last_error
            self.close()
            raise StartupError(
                f"no catch-up from {self.stream_key} within {self._start_timeout:g} s"
                + (f": {cause}" if cause else "")
            ) from cause
        _LOG.info("Subscribed to %s and caught up to %s", self.channel, self.last_seen_id)
        return self

    def close(self) -> None:
        """Stops the subscriber thread (waits up to ``command_timeout`` seconds for a running
        listener). Idempotent; never raises."""
        self._closed.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self._command_timeout + _POLL_INTERVAL)
            if thread.is_alive():
                _LOG.warning("A revocation listener is still running after close; left to finish")

    def __enter__(self) -> SessionBrokerClient:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- queries ------------------------------------------------------------------------------

    def add_listener(self, listener: RevocationListener) -> None:
        """Adds a listener; add it before :meth:`start` to also see the events of the catch-up."""
        with self._listeners_lock:
            self._listeners = [*self._listeners, listener]

    def remove_listener(self, listener: RevocationListener) -> None:
        """Removes a listener added before; unknown listeners are ignored."""
        with self._listeners_lock:
            self._listeners = [x for x in self._listeners if x is not listener]

    @property
    def last_seen_id(self) -> str | None:
        """The cursor: id of the last event read from the stream in order (or the stored id
        this process resumed after, while the start-up read has not passed it), or ``None``."""
        cursor = self._last_delivered()
        return None if cursor is None or cursor == ZERO else str(cursor)

    @property
    def eviction_watermark(self) -> datetime | None:
        """Revocations at or before this instant may have been forgotten by the revoked set
        (evicted beyond ``revoked_set_max_entries``, expired after ``revoked_entry_ttl``,
        replayed already expired, or trimmed from the stream by the broker's retention before
        this process read them: set at every start); ``None`` while none was."""
        return self._revoked.watermark

    def is_session_revoked(self, session_id: str) -> bool:
        """Whether the broker listed this registered local session id in a revocation."""
        return self._revoked.session_revoked(session_id)

    def is_revoked(
        self,
        sid: str | None = None,
        sub: str | None = None,
        created_at: datetime | None = None,
    ) -> bool:
        """Whether a signed-in session is revoked, from memory (no Redis call). The Java
        library's ``RevocationChecker.isRevoked(sid, sub, sessionCreatedAt)`` rule (SPEC §3.4).

        Revoked when its ``sid``, its user ``sub``, or the whole client ("logout all", push
        not-before) was revoked after the session was created. A session created after its
        ``sid``'s revocation is not revoked by it: Keycloak keeps the SSO session after a
        client-only logout (e.g. revoked consent), and the user who signs in again gets a new
        session under the same ``sid``. Times are compared with the ``clock_skew`` allowance, in
        favour of "revoked". A session of unknown age (``created_at`` omitted) counts as older
        than every revocation, so pass ``created_at`` whenever it is known: without it, a
        session not found revoked is decided by ``recheck`` (treated as revoked by default), since
        it may predate a revocation the stream's retention trimmed before this process started.

        A session created before a revocation the set has forgotten (the eviction watermark, or
        an expired entry of its ``sid``/``sub``) may have been revoked by it: it is decided by
        ``recheck``, or treated as revoked when there is none or it raises (logged as a
        warning). An app session that outlives the SSO session (e.g. a Django session, two weeks
        by default) is therefore never made live again by its revocation's expiry.

        Args:
            sid: the Keycloak SSO session id (the ID token's ``sid``).
            sub: the user (the ID token's ``sub``).
            created_at: when the session began (sign-in; the ID token's ``iat`` is a good
                choice), timezone-aware.

        Raises:
            ValueError: ``created_at`` is naive (no time zone).
        """
        if created_at is not None and created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        if self._predates(created_at, self._revoked.client_not_before):
            return True
        if sid is not None and self._predates(created_at, self._revoked.sid_revoked_before(sid)):
            return True
        if sub is not None and self._predates(created_at, self._revoked.user_revoked_before(sub)):
            return True
        if self._predates(created_at, self._revoked.forgotten_before(sid, sub)):
            return self._ask_recheck(sid, sub, created_at)
        return False

    def _ask_recheck(self, sid: str | None, sub: str | None, created_at: datetime | None) -> bool:
        if self._recheck is None:
            return True
        try:
            return bool(self._recheck(sid, sub, created_at))
        except Exception:
            _LOG.warning("recheck failed; treating the session as revoked", exc_info=True)
            return True

    def _predates(self, created_at: datetime | None, revoked_before: datetime | None) -> bool:
        if revoked_before is None:
            return False
        return created_at is None or created_at < revoked_before + self._clock_skew

    # -- subscriber thread --------------------------------------------------------------------

    def _run(self) -> None:
        while not self._closed.is_set():
            connections: RedisConnections | None = None
            try:
                connections = RedisConnections(
                    self._redis_url,
                    cluster=self._cluster,
                    pub_sub_mode=self._pub_sub_mode,
                    timeout=self._command_timeout,
                )
                if (
                    self._resume_after is None
                    and self._cursor is None
                    and self._start_from == "now"
                ):
                    # Read before subscribing: later appends are still caught up.
                    newest = connections.last_id(self.stream_key)
                    self._cursor = StreamId.parse(newest) if newest else ZERO
                connections.subscribe(self.channel)
                self._receive(connections)
            except (redis.RedisError, OSError) as e:
                self._last_error = e
                if self._caught_up.is_set():
                    _LOG.warning(
                        "Connection to Redis for %s lost (%s); reconnecting in %.1f s",
                        self.channel,
                        e,
                        self._reconnect_delay,
                    )
                else:
                    _LOG.debug("Cannot subscribe to %s yet: %s", self.channel, e)
            except Exception as e:
                # A defect, not an outage: log it with its stack and keep the subscription alive.
                self._last_error = e
                _LOG.exception("Unexpected error in the subscriber of %s", self.channel)
            finally:
                if connections is not None:
                    connections.close()
            if self._closed.wait(self._reconnect_delay):
                break
            self._reconnect_delay = min(self._reconnect_delay * 2, self._max_reconnect_delay)

    def _receive(self, connections: RedisConnections) -> None:
        while not self._closed.is_set():
            if self._catch_up_due is not None and time.monotonic() >= self._catch_up_due:
                self._catch_up(connections)
            message = connections.next_message(timeout=_POLL_INTERVAL)
            if message is None:
                continue
            kind = message.get("type")
            if kind in ("subscribe", "ssubscribe"):
                self._reconnect_delay = _FIRST_RETRY_DELAY
                self._catch_up_due = time.monotonic()
                self._catch_up_delay = _FIRST_RETRY_DELAY
            elif kind in ("message", "smessage"):
                self._on_live(connections, message["data"])

    def _catch_up(self, connections: RedisConnections) -> None:
        try:
            trimmed_unread = self._warn_if_trimmed(connections)
            if not self._caught_up.is_set() or trimmed_unread:
                self._forget_what_retention_may_have_trimmed(connections)
            replayed = self._read_stream(connections)
        except redis.RedisError as e:
            self._last_error = e
            self._save_progress()
            log = _LOG.warning if self._caught_up.is_set() else _LOG.debug
            log(
                "Catch-up from %s failed (%s); retrying in %.1f s",
                self.stream_key,
                e,
                self._catch_up_delay,
            )
            self._catch_up_due = time.monotonic() + self._catch_up_delay
            self._catch_up_delay = min(self._catch_up_delay * 2, self._max_reconnect_delay)
            return
        self._catch_up_due = None
        self._save_progress()
        _LOG.debug("Caught up from %s: %d event(s) replayed", self.stream_key, replayed)
        self._caught_up.set()

    def _forget_what_retention_may_have_trimmed(self, connections: RedisConnections) -> None:
        """Raises the revoked set's watermark over every revocation the broker's retention may
        have trimmed before this process read it: at every start (the revoked set lives in
        memory, cursor stored or not) and when a reconnect finds events trimmed unread.

        The broker trims only from the head, and an entry appended at ``T`` only by an append
        after ``T + retention``: every entry newer than ``now - stream_retention`` is still there,
        and nothing after the oldest retained entry was trimmed. So the watermark is the earlier
        of the two (``now - stream_retention`` for an empty or missing stream, whose key expires
        after the retention). Clock differences are covered by ``clock_skew``.
        """
        mark = self._clock() - self._stream_retention
        oldest = connections.first_id(self.stream_key)
        if oldest is not None:
            oldest_at = datetime.fromtimestamp(StreamId.parse(oldest).millis / 1000, timezone.utc)
            mark = min(mark, oldest_at)
        self._revoked.forget_before(mark)
        _LOG.debug(
            "Revocations in %s before %s may have been trimmed unread; older sessions are"
            " decided by recheck",
            self.stream_key,
            mark.isoformat(),
        )

    def _warn_if_trimmed(self, connections: RedisConnections) -> bool:
        """Retention may have trimmed events this subscriber never read; they cannot be
        recovered, so say so loudly instead of resuming as if nothing was lost.

        Trimming removes the oldest entries first, so while the entry last read is still in the
        stream nothing after it was trimmed; once it is gone and the oldest retained entry is
        newer, entries in between may have been. Reads with ``XRANGE`` only, which the app's
        read-only Redis user is allowed (trimming does not move ``XINFO STREAM``'s
        ``max-deleted-entry-id`` either).

        Returns:
            whether events after the last one read may have been trimmed unread.
        """
        cursor = self._last_delivered()
        if cursor is None or cursor == ZERO:
            return False
        if connections.contains(self.stream_key, str(cursor)):
            return False
        oldest = connections.first_id(self.stream_key)
        if oldest is not None and StreamId.parse(oldest) > cursor:
            _LOG.warning(
                "The last event this subscriber read (%s) is no longer in %s: events after it"
                " may have been trimmed unread (away longer than the broker's retention, or"
                " Redis lost data); sessions older than the revocations lost among them are"
                " decided by recheck",
                cursor,
                self.stream_key,
            )
            return True
        return False

    def _read_stream(self, connections: RedisConnections) -> int:
        """Reads and delivers every entry after the cursor, moving the cursor over each."""
        delivered = 0
        while not self._closed.is_set():
            after = str(self._cursor or ZERO)
            entries = connections.read_after(self.stream_key, after, self._batch)
            for entry_id, fields in entries:
                stream_id = StreamId.parse(entry_id)
                self._cursor = stream_id
                if stream_id in self._live_ids:
                    self._live_ids.discard(stream_id)  # Delivered live while the stream was away.
                    continue
                if self._deliver(fields.get(EVENT_FIELD), entry_id, stream_id, from_stream=True):
                    delivered += 1
            if self._live_ids:
                cursor = self._cursor
                self._live_ids = {i for i in self._live_ids if cursor is None or i > cursor}
            if len(entries) < self._batch:
                break
        return delivered

    def _on_live(self, connections: RedisConnections, payload: str) -> None:
        text_id = event_id_of(payload)
        try:
            live_id = StreamId.parse(text_id) if text_id else None
        except ValueError:
            live_id = None
        if live_id is None:
            _LOG.warning("Skipped a message on %s without a stream id", self.channel)
            return
        if not self._is_new(live_id):
            return
        try:
            # A wake-up: reading in order delivers whatever precedes this event first, and
            # completes a catch-up that was waiting for its retry.
            self._read_stream(connections)
            if self._catch_up_due is not None and self._caught_up.is_set():
                self._catch_up_due = None
                self._catch_up_delay = _FIRST_RETRY_DELAY
        except redis.RedisError as e:
            _LOG.debug("Stream read after a live message failed (%s); using its payload", e)
            if self._catch_up_due is None:
                self._catch_up_due = time.monotonic() + self._catch_up_delay
        if self._is_new(live_id):
            # The stream is unreachable or no longer holds it: deliver the live copy, remember
            # its id for dedupe, leave the cursor where the stream reading stopped.
            self._deliver(payload, text_id, live_id, from_stream=False)
            if len(self._live_ids) >= _MAX_REMEMBERED_LIVE_IDS:
                self._live_ids.discard(min(self._live_ids))
            self._live_ids.add(live_id)
        self._save_progress()

    def _is_new(self, stream_id: StreamId) -> bool:
        cursor = self._cursor
        return (cursor is None or stream_id > cursor) and stream_id not in self._live_ids

    def _last_delivered(self) -> StreamId | None:
        """The later of the cursor and the stored id resumed after: what listeners have seen."""
        cursor, stored = self._cursor, self._resume_after
        if cursor is None:
            return stored
        return cursor if stored is None or cursor > stored else stored

    def _deliver(
        self,
        payload: str | None,
        entry_id: str | None,
        stream_id: StreamId,
        *,
        from_stream: bool,
    ) -> bool:
        """Applies one event to the revoked set and hands it to the listeners unless they got
        it before the restart (at or before the stored cursor); returns whether they got it now.

        A stream entry's event is read with its entry id (:func:`parse_stream_entry`), a live
        message carries its id itself.
        """
        if payload is None:
            _LOG.warning(
                "Stream entry %s of %s has no event field; skipped", entry_id, self.stream_key
            )
            return False
        try:
            if from_stream and entry_id is not None:
                event = parse_stream_entry(entry_id, payload)
            else:
                event = parse_event(payload)
        except EventFormatError as e:
            _LOG.warning("Skipped unreadable event %s on %s: %s", entry_id, self.stream_key, e)
            return False
        if event is None:
            return False
        self._revoked.apply(event)
        if self._resume_after is not None and stream_id <= self._resume_after:
            return False
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                _LOG.exception("Revocation listener %r failed on event %s", listener, event.id)
        return True

    def _save_progress(self) -> None:
        cursor = self._cursor
        if cursor is None or cursor == ZERO or cursor == self._saved:
            return
        if self._resume_after is not None and cursor <= self._resume_after:
            return  # Below the stored id: storing it would make the next start deliver again.
        try:
            self._store.save(str(cursor))
            self._saved = cursor
        except OSError:
            _LOG.warning(
                "Could not store the last seen id %s; a restart may replay events",
                cursor,
                exc_info=True,
            )
