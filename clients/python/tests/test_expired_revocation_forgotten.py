"""A revocation the client library forgets because its entry expired must not make the revoked
session look live (SPEC §3.4, §3.5: the Python library gives the Java library's guarantees; the
Java RevokedSet raises the watermark on every expiry and on every replayed, already-expired
event)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import redis

from broker_emulation import EventWriter
from peers import RedisProcess, wait_until
from session_broker import SessionBrokerClient

TTL = timedelta(hours=10)


def test_when_a_sid_revocation_expires_then_an_older_session_is_not_live(
    redis_server: RedisProcess,
) -> None:
    writer = EventWriter(redis.Redis.from_url(redis_server.url, decode_responses=True))
    signed_in = datetime.now(timezone.utc) - timedelta(minutes=5)
    now = [datetime.now(timezone.utc)]
    with SessionBrokerClient(
        redis_server.url, "acme", "app1", revoked_entry_ttl=TTL, clock=lambda: now[0]
    ) as client:
        writer.revoke_sid("sid-gone")
        wait_until(lambda: client.last_seen_id is not None, 5, "the revocation")
        assert client.is_revoked(sid="sid-gone", created_at=signed_in)

        # The user comes back after a night away with the app's session cookie (Django keeps a
        # session two weeks by default), the SSO session long ended by the logout.
        now[0] += TTL + timedelta(minutes=1)

        assert client.is_revoked(sid="sid-gone", created_at=signed_in)


def test_when_a_replayed_revocation_is_already_expired_then_an_older_session_is_not_live(
    redis_server: RedisProcess,
) -> None:
    writer = EventWriter(redis.Redis.from_url(redis_server.url, decode_responses=True))
    revoked_at = datetime.now(timezone.utc) - TTL - timedelta(hours=1)
    signed_in = revoked_at - timedelta(minutes=5)
    writer.revoke_sid("sid-old", at=revoked_at)
    # An app process restarts (in-memory cursor) and replays the stream, which the broker keeps
    # 24 h by default: this event is older than the entry ttl.
    with SessionBrokerClient(redis_server.url, "acme", "app1", revoked_entry_ttl=TTL) as client:
        assert client.last_seen_id is not None
        assert client.is_revoked(sid="sid-old", created_at=signed_in)
