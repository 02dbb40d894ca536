"""A revocation the subscriber processed before a restart, and that the broker's retention has
trimmed from the stream since, must not make its session look live after the restart (SPEC §3.4:
forgetting a revocation never makes a revoked session look live; the watermark covers it).

The stored last seen id proves the restarted process had processed every event up to it, so the
revoked set rebuilt from the retained stream knows less than the process did before."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis

from broker_emulation import EventWriter
from peers import RedisProcess, wait_until
from session_broker import FileLastSeenIdStore, SessionBrokerClient


def test_a_revocation_trimmed_after_it_was_processed_is_not_forgotten_by_a_restart(
    redis_server: RedisProcess, tmp_path: Path
) -> None:
    connection = redis.Redis.from_url(redis_server.url, decode_responses=True)
    writer = EventWriter(connection)
    store = FileLastSeenIdStore(tmp_path / "last-seen-id")
    now = datetime.now(timezone.utc)
    # A Django session signed in 26 h ago, its SSO session logged out 25 h ago; the app session
    # (two weeks by default) made no request since, so nothing ended it yet.
    signed_in = now - timedelta(hours=26)

    with SessionBrokerClient(redis_server.url, "acme", "app1", last_seen_store=store) as before:
        writer.revoke_sid("sid-logged-out", at=now - timedelta(hours=25))
        newer = writer.revoke_sid("sid-other", at=now - timedelta(hours=1))
        wait_until(lambda: store.load() == newer, 30, "both events processed and stored")
        assert before.is_revoked(sid="sid-logged-out", created_at=signed_in)

    # Retention (24 h) trims the older event; the newer one stays.
    connection.xtrim(writer.stream, minid=newer, approximate=False)
    assert connection.xlen(writer.stream) == 1

    with SessionBrokerClient(redis_server.url, "acme", "app1", last_seen_store=store) as after:
        assert after.is_revoked(sid="sid-logged-out", created_at=signed_in), (
            "a session logged out before the restart is reported live after it"
        )


def test_a_start_without_a_stored_cursor_on_an_empty_stream_leaves_old_sessions_unknown(
    redis_server: RedisProcess,
) -> None:
    # Nothing retained: the stream key expired, or retention trimmed every logout; one of them
    # may have ended a session signed in 26 h ago.
    now = datetime.now(timezone.utc)
    with SessionBrokerClient(redis_server.url, "acme", "fresh-empty") as client:
        watermark = client.eviction_watermark
        assert watermark is not None
        assert abs(watermark - (now - timedelta(hours=24))) < timedelta(minutes=1)
        assert client.is_revoked(sid="sid-old", created_at=now - timedelta(hours=26)), (
            "a session older than the retention is reported live with no retained revocation"
        )
        assert not client.is_revoked(sid="sid-new", created_at=now - timedelta(hours=1))

    rechecked: list[str | None] = []

    def recheck(sid: str | None, sub: str | None, created_at: datetime | None) -> bool:
        rechecked.append(sid)
        return False

    with SessionBrokerClient(
        redis_server.url,
        "acme",
        "fresh-empty",
        recheck=recheck,
        stream_retention=timedelta(hours=48),
    ) as client:
        assert not client.is_revoked(sid="sid-30h", created_at=now - timedelta(hours=30))
        assert rechecked == [], "a session newer than the configured retention is not unknown"
        assert not client.is_revoked(sid="sid-50h", created_at=now - timedelta(hours=50))
        assert rechecked == ["sid-50h"], "a session older than the retention goes to recheck"


def test_the_watermark_is_the_oldest_retained_entry_when_it_is_older_than_the_retention(
    redis_server: RedisProcess,
) -> None:
    # MINID ~ trims whole nodes only, so entries older than the retention may still be there;
    # nothing after the oldest retained one was trimmed.
    connection = redis.Redis.from_url(redis_server.url, decode_responses=True)
    writer = EventWriter(connection, client_id="approximate-trim")
    now = datetime.now(timezone.utc)
    oldest_ms = int((now - timedelta(hours=30)).timestamp() * 1000)
    oldest = datetime.fromtimestamp(oldest_ms / 1000, timezone.utc)
    # Recorded an hour before Redis appended it (replayed from the broker's journal).
    at = (oldest - timedelta(hours=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event = {
        "v": 1,
        "type": "session.revoked",
        "reason": "backchannel_logout",
        "issuer": "acme",
        "clientId": "approximate-trim",
        "sid": "sid-old-retained",
        "sessionIds": [],
        "at": at,
    }
    connection.xadd(writer.stream, {"event": json.dumps(event)}, id=f"{oldest_ms}-0")

    with SessionBrokerClient(redis_server.url, "acme", "approximate-trim") as client:
        assert client.eviction_watermark == oldest
        assert not client.is_revoked(sid="sid-other", created_at=now - timedelta(hours=26))
        assert client.is_revoked(sid="sid-other", created_at=oldest - timedelta(minutes=30))


def test_stream_retention_must_be_positive() -> None:
    with pytest.raises(ValueError, match="stream_retention"):
        SessionBrokerClient("redis://localhost:1", "acme", "app1", stream_retention=timedelta(0))


def test_a_reconnect_that_finds_events_trimmed_unread_raises_the_watermark_over_them(
    redis_server: RedisProcess,
) -> None:
    connection = redis.Redis.from_url(redis_server.url, decode_responses=True)
    writer = EventWriter(connection, client_id="reconnect-trim")
    now = [datetime.now(timezone.utc)]

    with SessionBrokerClient(
        redis_server.url,
        "acme",
        "reconnect-trim",
        stream_retention=timedelta(hours=1),
        clock=lambda: now[0],
    ) as client:
        seen = writer.revoke_sid("sid-seen")
        wait_until(lambda: client.last_seen_id == seen, 30, "the first event read")
        at_start = client.eviction_watermark
        assert at_start is not None

        # Away for hours: events appended unread, and retention trims past the last one read.
        now[0] += timedelta(hours=3)
        writer.revoke_sid("sid-trimmed-unread", publish=False)
        kept = writer.revoke_sid("sid-kept", publish=False)
        connection.xtrim(writer.stream, minid=kept, approximate=False)
        connection.client_kill_filter(_type="pubsub")
        wait_until(lambda: client.last_seen_id == kept, 30, "the catch-up after the reconnect")

        oldest_retained = datetime.fromtimestamp(int(kept.split("-")[0]) / 1000, timezone.utc)
        assert oldest_retained > at_start
        assert client.eviction_watermark == oldest_retained, (
            "revocations before the oldest retained entry may have been trimmed unread"
        )
