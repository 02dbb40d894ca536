"""SessionBrokerClient against real redis-server processes: live delivery, catch-up, restarts,
exactly-once, listener isolation, is_revoked semantics, watermark, start timeout."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis

from broker_emulation import EventWriter, published_form
from peers import RedisProcess, free_port, signed_in_recently, wait_until
from session_broker import (
    FileLastSeenIdStore,
    RevocationEvent,
    SessionBrokerClient,
    StartupError,
)


class Recorder:
    def __init__(self) -> None:
        self.events: list[RevocationEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: RevocationEvent) -> None:
        with self._lock:
            self.events.append(event)

    @property
    def ids(self) -> list[str]:
        with self._lock:
            return [e.id for e in self.events]


def make_client(url: str, **options: object) -> SessionBrokerClient:
    options.setdefault("max_reconnect_delay", 0.5)
    return SessionBrokerClient(url, "acme", "app1", **options)  # type: ignore[arg-type]


@pytest.fixture
def writer(redis_server: RedisProcess) -> EventWriter:
    return EventWriter(redis.Redis.from_url(redis_server.url, decode_responses=True))


def test_when_an_event_is_published_then_the_listener_gets_it_live(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    recorder = Recorder()
    with make_client(redis_server.url) as client:
        client.add_listener(recorder)
        event_id = writer.revoke_sid("sid-live", sub="alice")
        wait_until(lambda: recorder.ids == [event_id], 30, "the live event")
        assert client.is_revoked(sid="sid-live", created_at=signed_in_recently())
        assert not client.is_revoked(sid="sid-other", created_at=datetime.now(timezone.utc))
        # Of unknown age it may predate what the stream's retention trimmed: not known live.
        assert client.is_revoked(sid="sid-other")
        assert recorder.events[0].sub == "alice"
        assert client.last_seen_id == event_id


def test_when_the_subscriber_was_down_then_it_catches_up_from_its_last_seen_id(
    redis_server: RedisProcess, writer: EventWriter, tmp_path: Path
) -> None:
    store = FileLastSeenIdStore(tmp_path / "last-seen-id")
    first = Recorder()
    with make_client(redis_server.url, last_seen_store=store) as client:
        client.add_listener(first)
        before = writer.revoke_sid("sid-1")
        wait_until(lambda: first.ids == [before], 30, "the first event")
    assert store.load() == before

    while_away = [writer.revoke_sid(f"sid-away-{n}") for n in range(3)]

    second = Recorder()
    client = make_client(redis_server.url, last_seen_store=store)
    client.add_listener(second)
    with client:
        assert second.ids == while_away  # Delivered by start(), before it returned.
        assert client.is_revoked(sid="sid-away-2", created_at=signed_in_recently())
        # Not delivered to listeners again, but still known: the revoked set is rebuilt.
        assert client.is_revoked(sid="sid-1", created_at=signed_in_recently())
        assert client.last_seen_id == while_away[-1]


def test_catch_up_reads_entries_stored_with_and_without_their_id_alike(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    # Brokers before this version stored the id inside the event; the broker now leaves it out.
    older = writer.revoke_sid("sid-stored-with-id", sub="alice", publish=False, stored_with_id=True)
    newer = writer.revoke_sid("sid-stored-without-id", sub="alice", publish=False)
    assert "id" in json.loads(writer.redis.xrange(writer.stream, older, older)[0][1]["event"])
    assert "id" not in json.loads(writer.redis.xrange(writer.stream, newer, newer)[0][1]["event"])

    recorder = Recorder()
    client = make_client(redis_server.url)
    client.add_listener(recorder)
    with client:
        assert recorder.ids == [older, newer]
        assert [e.sid for e in recorder.events] == ["sid-stored-with-id", "sid-stored-without-id"]
        assert client.is_revoked(sid="sid-stored-without-id", created_at=signed_in_recently())
        assert client.last_seen_id == newer


def test_when_redis_restarts_then_the_client_resubscribes_and_catches_up(
    redis_server: RedisProcess,
) -> None:
    recorder = Recorder()
    with make_client(redis_server.url) as client:
        client.add_listener(recorder)
        writer = EventWriter(redis.Redis.from_url(redis_server.url, decode_responses=True))
        before = writer.revoke_sid("sid-before")
        wait_until(lambda: recorder.ids == [before], 30, "the event before the restart")

        redis_server.stop()
        # Back with a password the client does not know: it keeps reconnecting (NOAUTH) while
        # an event is appended and published to nobody, so only its catch-up can find it.
        redis_server.start(["--requirepass", "only-the-test"])
        admin = redis.Redis.from_url(
            redis_server.url, password="only-the-test", decode_responses=True
        )
        writer = EventWriter(admin)
        during = writer.revoke_sid("sid-during-restart", publish=False)
        admin.config_set("requirepass", "")
        wait_until(lambda: recorder.ids == [before, during], 30, "catch-up after the restart")

        after = writer.revoke_sid("sid-after")
        wait_until(lambda: recorder.ids == [before, during, after], 30, "live after the restart")
        assert client.is_revoked(sid="sid-during-restart", created_at=signed_in_recently())


def test_when_messages_repeat_then_each_event_is_delivered_exactly_once(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    recorder = Recorder()
    with make_client(redis_server.url) as client:
        client.add_listener(recorder)
        ids = [writer.revoke_sid(f"sid-{n}") for n in range(20)]
        # The broker republishes a stored payload when it retries: duplicates on the channel.
        for entry_id, fields in writer.redis.xrange(writer.stream):
            writer.publish_only(published_form(entry_id, fields["event"]))
            assert entry_id in ids
        marker = writer.revoke_sid("sid-marker")
        wait_until(lambda: marker in recorder.ids, 30, "the marker event")
        time.sleep(0.3)
        assert recorder.ids == [*ids, marker]


def test_when_a_listener_raises_then_delivery_goes_on_and_the_error_is_logged(
    redis_server: RedisProcess, writer: EventWriter, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()

    def failing(event: RevocationEvent) -> None:
        raise RuntimeError("listener bug")

    with make_client(redis_server.url) as client:
        client.add_listener(failing)
        client.add_listener(recorder)
        with caplog.at_level(logging.ERROR, logger="session_broker"):
            first = writer.revoke_sid("sid-a")
            second = writer.revoke_sid("sid-b")
            wait_until(lambda: recorder.ids == [first, second], 30, "both events")
        assert sum("listener" in r.getMessage() for r in caplog.records) == 2
        assert client.is_revoked(sid="sid-b", created_at=signed_in_recently())


def test_is_revoked_applies_user_revocations_only_to_sessions_created_before_them(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    revoked_at = datetime.now(timezone.utc)
    with make_client(redis_server.url, clock_skew=timedelta(seconds=2)) as client:
        writer.revoke_user("bob", at=revoked_at)
        wait_until(lambda: client.last_seen_id is not None, 30, "the user revocation")
        assert client.is_revoked(sub="bob", created_at=revoked_at - timedelta(minutes=5))
        # Within the clock-skew allowance: counted as before the revocation.
        assert client.is_revoked(sub="bob", created_at=revoked_at + timedelta(seconds=1))
        assert not client.is_revoked(sub="bob", created_at=revoked_at + timedelta(seconds=5))
        # Unknown age counts as older than the revocation.
        assert client.is_revoked(sub="bob")
        assert not client.is_revoked(sub="carol", created_at=revoked_at - timedelta(minutes=5))
        with pytest.raises(ValueError, match="timezone-aware"):
            client.is_revoked(sub="bob", created_at=datetime.now())


def test_is_revoked_applies_sid_revocations_only_to_sessions_created_before_them(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    # Keycloak keeps the SSO session after a client-only logout (e.g. revoked consent); the user
    # signs in again under the same sid, and that new session is not revoked (as in Java).
    revoked_at = datetime.now(timezone.utc)
    with make_client(redis_server.url, clock_skew=timedelta(seconds=2)) as client:
        writer.revoke_sid("sid-kept", at=revoked_at)
        wait_until(lambda: client.last_seen_id is not None, 30, "the sid revocation")
        assert client.is_revoked(sid="sid-kept", created_at=revoked_at - timedelta(minutes=5))
        # Within the clock-skew allowance: counted as before the revocation.
        assert client.is_revoked(sid="sid-kept", created_at=revoked_at + timedelta(seconds=1))
        assert not client.is_revoked(sid="sid-kept", created_at=revoked_at + timedelta(seconds=5))
        assert not client.is_revoked(
            sid="sid-kept", sub="erin", created_at=revoked_at + timedelta(seconds=5)
        )
        # Unknown age counts as older than the revocation.
        assert client.is_revoked(sid="sid-kept")
        assert not client.is_revoked(sid="sid-other", created_at=revoked_at - timedelta(minutes=5))


def test_is_revoked_applies_client_not_before(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    not_before = datetime.now(timezone.utc).replace(microsecond=0)
    with make_client(redis_server.url, clock_skew=timedelta(0)) as client:
        writer.write(
            {
                "type": "client.revoked",
                "reason": "keycloak_admin",
                "notBefore": not_before.isoformat().replace("+00:00", "Z"),
            }
        )
        wait_until(lambda: client.last_seen_id is not None, 30, "the client revocation")
        assert client.is_revoked(sid="any", created_at=not_before - timedelta(seconds=1))
        assert not client.is_revoked(sid="any", created_at=not_before + timedelta(seconds=1))


def test_when_revocations_are_evicted_then_older_sessions_are_never_live(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    revoked_at = datetime.now(timezone.utc) - timedelta(minutes=10)
    created = revoked_at - timedelta(minutes=10)
    rechecked: list[tuple[str | None, str | None]] = []

    def recheck(sid: str | None, sub: str | None, created_at: datetime | None) -> bool:
        rechecked.append((sid, sub))
        return sid == "sid-0"

    for n in range(5):
        writer.revoke_sid(f"sid-{n}", at=revoked_at)
    with make_client(redis_server.url, revoked_set_max_entries=3) as strict:
        # Milliseconds, as events carry them.
        assert strict.eviction_watermark == revoked_at.replace(
            microsecond=revoked_at.microsecond // 1000 * 1000
        )
        assert strict.is_revoked(sid="sid-4", created_at=created)
        # sid-0 was evicted: a session that old is unknown, and the default treats it as revoked.
        assert strict.is_revoked(sid="sid-0", created_at=created)
        # A session created after the watermark is judged by the set alone.
        assert not strict.is_revoked(sid="sid-new", created_at=datetime.now(timezone.utc))
    with make_client(redis_server.url, revoked_set_max_entries=3, recheck=recheck) as lenient:
        assert lenient.is_revoked(sid="sid-0", created_at=created)
        assert not lenient.is_revoked(sid="sid-live", created_at=created)
        assert rechecked == [("sid-0", None), ("sid-live", None)]


def test_when_the_recheck_policy_raises_then_the_session_counts_as_revoked(
    redis_server: RedisProcess, writer: EventWriter, caplog: pytest.LogCaptureFixture
) -> None:
    revoked_at = datetime.now(timezone.utc) - timedelta(minutes=10)

    def failing_recheck(sid: str | None, sub: str | None, created_at: datetime | None) -> bool:
        raise RuntimeError("the broker could not be asked")

    for n in range(5):
        writer.revoke_sid(f"sid-{n}", at=revoked_at)
    with (
        make_client(redis_server.url, revoked_set_max_entries=3, recheck=failing_recheck) as client,
        caplog.at_level(logging.WARNING, logger="session_broker"),
    ):
        assert client.is_revoked(sid="sid-0", created_at=revoked_at - timedelta(minutes=10))
    assert any("recheck" in r.getMessage() for r in caplog.records)


def test_when_redis_is_unreachable_then_start_fails_within_its_timeout() -> None:
    client = make_client(f"redis://127.0.0.1:{free_port()}", start_timeout=1.0)
    began = time.monotonic()
    with pytest.raises(StartupError, match="within 1 s"):
        client.start()
    assert time.monotonic() - began < 10  # Bounded, not hanging; not a timing assertion.
    with pytest.raises(Exception, match="once"):
        client.start()


def test_start_from_now_skips_what_the_stream_retains(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    writer.revoke_sid("sid-old")
    recorder = Recorder()
    client = make_client(redis_server.url, start_from="now")
    client.add_listener(recorder)
    with client:
        assert recorder.ids == []
        new = writer.revoke_sid("sid-new")
        wait_until(lambda: recorder.ids == [new], 30, "the new event")


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="client_id"):
        SessionBrokerClient("redis://127.0.0.1:1", "acme", " ")
    with pytest.raises(ValueError, match="start_from"):
        SessionBrokerClient("redis://127.0.0.1:1", "acme", "app1", start_from="later")


def test_when_the_stream_cannot_be_read_then_a_live_event_is_delivered_but_the_cursor_stays(
    redis_server: RedisProcess, writer: EventWriter
) -> None:
    recorder = Recorder()
    with make_client(redis_server.url) as client:
        client.add_listener(recorder)
        first = writer.revoke_sid("sid-first")
        wait_until(lambda: recorder.ids == [first], 30, "the first event")

        # The stream key holds the wrong type: every XRANGE fails with WRONGTYPE, pub/sub works.
        backup = writer.stream + ":backup"
        writer.redis.rename(writer.stream, backup)
        writer.redis.set(writer.stream, "not a stream")
        real_stream, writer.stream = writer.stream, backup
        unread = writer.revoke_sid("sid-appended-unpublished", publish=False)
        live = writer.revoke_sid("sid-live-while-broken")
        wait_until(lambda: recorder.ids == [first, live], 30, "the live payload")
        assert client.last_seen_id == first  # Not past the unread event before it.
        assert client.is_revoked(sid="sid-live-while-broken", created_at=signed_in_recently())

        writer.redis.delete(real_stream)
        writer.redis.rename(backup, real_stream)
        writer.stream = real_stream
        after = writer.revoke_sid("sid-after-repair")
        wait_until(lambda: client.last_seen_id == after, 30, "catch-up after the repair")
        assert recorder.ids == [first, live, unread, after]  # Each once; the unread one caught up.
