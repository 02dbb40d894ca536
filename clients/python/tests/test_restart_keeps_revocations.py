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
