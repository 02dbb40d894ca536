"""A revocation the subscriber processed before a restart, and that the broker's retention has
trimmed from the stream since, must not make its session look live after the restart (SPEC §3.4:
forgetting a revocation never makes a revoked session look live; the watermark covers it).

The stored last seen id proves the restarted process had processed every event up to it, so the
revoked set rebuilt from the retained stream knows less than the process did before."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

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
