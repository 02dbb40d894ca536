"""Sentinel and Cluster (sharded pub/sub) with real redis-server processes."""

from __future__ import annotations

import redis
from redis.sentinel import Sentinel

from broker_emulation import EventWriter
from peers import RedisClusterSetup, SentinelSetup, signed_in_recently, wait_until
from session_broker import RevocationEvent, SessionBrokerClient


def test_sentinel_live_event_and_catch_up(sentinel: SentinelSetup) -> None:
    master = Sentinel([("127.0.0.1", sentinel.port)]).master_for(
        SentinelSetup.MASTER_NAME, decode_responses=True
    )
    writer = EventWriter(master, client_id="sentinel-app")
    retained = writer.revoke_sid("sid-retained", publish=False)
    seen: list[RevocationEvent] = []
    with SessionBrokerClient(sentinel.url, "acme", "sentinel-app") as client:
        client.add_listener(seen.append)
        assert client.last_seen_id == retained  # Caught up through the master Sentinel named.
        live = writer.revoke_sid("sid-live")
        wait_until(lambda: [e.id for e in seen] == [live], 30, "the live event via Sentinel")
        assert client.is_revoked(
            sid="sid-retained", created_at=signed_in_recently()
        ) and client.is_revoked(sid="sid-live", created_at=signed_in_recently())


def test_cluster_sharded_pub_sub_live_event_and_catch_up(redis_cluster: RedisClusterSetup) -> None:
    cluster = redis.RedisCluster.from_url(redis_cluster.nodes[0].url, decode_responses=True)
    writer = EventWriter(cluster, client_id="cluster-app")
    assert writer.sharded
    retained = writer.revoke_sid("sid-retained", publish=False)
    seen: list[RevocationEvent] = []
    with SessionBrokerClient(redis_cluster.url, "acme", "cluster-app", cluster=True) as client:
        client.add_listener(seen.append)
        assert client.last_seen_id == retained
        lives = [writer.revoke_sid(f"sid-live-{n}") for n in range(3)]
        wait_until(lambda: [e.id for e in seen] == lives, 30, "live events via SSUBSCRIBE")
        assert client.is_revoked(sid="sid-live-2", created_at=signed_in_recently())
    cluster.close()
