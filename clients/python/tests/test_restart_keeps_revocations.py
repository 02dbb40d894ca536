"""A process restarted with a ``FileLastSeenIdStore`` resumes after the last event it delivered,
so it never reads the revocations before that id again; its revoked set starts empty.

Sessions outlive the process: Django keeps them in the database (two weeks by default), servlet
containers may persist or replicate them. A session whose SSO session was logged out before the
restart, and that made no request in between (so the middleware never ended it), must not be
reported live afterwards (SPEC §3.4: forgetting must never make a revoked session look live)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import redis

from broker_emulation import EventWriter
from peers import RedisProcess, wait_until
from session_broker import FileLastSeenIdStore, SessionBrokerClient


def test_a_sid_revoked_before_a_restart_stays_revoked_after_it(
    redis_server: RedisProcess, tmp_path: Path
) -> None:
    writer = EventWriter(redis.Redis.from_url(redis_server.url, decode_responses=True))
    store = FileLastSeenIdStore(tmp_path / "last-seen-id")
    signed_in = datetime.now(timezone.utc) - timedelta(minutes=5)

    with SessionBrokerClient(redis_server.url, "acme", "app1", last_seen_store=store) as before:
        writer.revoke_sid("sid-logged-out", sub="alice")
        wait_until(
            lambda: before.is_revoked(sid="sid-logged-out", created_at=signed_in),
            30,
            "the logout in the first process",
        )

    with SessionBrokerClient(redis_server.url, "acme", "app1", last_seen_store=store) as after:
        assert after.is_revoked(sid="sid-logged-out", sub="alice", created_at=signed_in), (
            "a session logged out before the restart is reported live after it"
        )


class _RecordingStore:
    """A file store that records every id saved."""

    def __init__(self, path: Path) -> None:
        self._file = FileLastSeenIdStore(path)
        self.saved: list[str] = []

    def load(self) -> str | None:
        return self._file.load()

    def save(self, last_seen_id: str) -> None:
        self.saved.append(last_seen_id)
        self._file.save(last_seen_id)


def test_a_stored_cursor_with_start_from_now_rebuilds_the_set_and_delivers_only_newer_events(
    redis_server: RedisProcess, tmp_path: Path
) -> None:
    writer = EventWriter(redis.Redis.from_url(redis_server.url, decode_responses=True))
    store = _RecordingStore(tmp_path / "last-seen-id")
    signed_in = datetime.now(timezone.utc) - timedelta(minutes=5)
    options = {"last_seen_store": store, "start_from": "now", "catch_up_batch_size": 1}

    with SessionBrokerClient(redis_server.url, "acme", "app1", **options):
        writer.revoke_user("alice")
        stored = writer.revoke_sid("sid-before")
        wait_until(lambda: store.load() == stored, 30, "the stored id of the first process")
    while_away = writer.revoke_sid("sid-while-away", publish=False)
    store.saved.clear()

    delivered: list[str] = []
    after = SessionBrokerClient(redis_server.url, "acme", "app1", **options)
    after.add_listener(lambda event: delivered.append(event.id))
    with after:
        assert after.is_revoked(sub="alice", created_at=signed_in), "logged out everywhere"
        assert after.is_revoked(sid="sid-before", created_at=signed_in)
        assert after.is_revoked(sid="sid-while-away", created_at=signed_in)
        assert delivered == [while_away], "listeners get each event once across the restart"
        assert after.last_seen_id == while_away
    assert store.saved == [while_away], "the stored id never moves back below the stored one"
