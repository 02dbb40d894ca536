"""Redis access for one subscriber, for standalone, Sentinel and Cluster alike (SPEC §3.3).

Two connections: a pub/sub connection for live messages (sharded ``SSUBSCRIBE`` in Cluster, as
the broker publishes with ``SPUBLISH`` there) and a command client for stream reads (a subscribed
RESP2 connection cannot run ``XRANGE``). Reconnecting is the subscriber's job: on any error it
closes both and opens them anew, so the behaviour does not depend on redis-py's retry defaults.
"""

from __future__ import annotations

import contextlib
import enum
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.retry import Retry
from redis.sentinel import Sentinel

#: The single field of each stream entry; its value is the event JSON (see parse_stream_entry).
EVENT_FIELD = "event"

SENTINEL_SCHEME = "redis-sentinel"


class PubSubMode(str, enum.Enum):
    """How live messages are received."""

    AUTO = "auto"
    """Sharded pub/sub in Cluster, classic pub/sub otherwise (what the broker publishes with)."""
    CLASSIC = "classic"
    """``SUBSCRIBE`` everywhere."""
    SHARDED = "sharded"
    """``SSUBSCRIBE`` (Redis 7+)."""


def channel_name(prefix: str, alias: str, client_id: str) -> str:
    """``<prefix>:revocations:<alias>:<clientId>``."""
    return f"{prefix}:revocations:{alias}:{client_id}"


def stream_key(prefix: str, alias: str, client_id: str) -> str:
    """``<prefix>:events:<alias>:<clientId>``."""
    return f"{prefix}:events:{alias}:{client_id}"


class RedisConnections:
    """The pub/sub and command connections of one subscriber.

    Args:
        redis_url: ``redis://[user:password@]host:port[/db]``, ``rediss://...``, ``unix://...``;
            ``redis-sentinel://[[user:]password@]host:port[,host:port...][/db]#<master name>``
            for Sentinel (the credentials are the master's); for Cluster, one or more
            comma-separated ``redis://[[user:]password@]host:port`` seed nodes (the first one's
            credentials are used).
        cluster: whether ``redis_url`` names Redis Cluster seed nodes.
        timeout: socket connect and read timeout, seconds.
    """

    def __init__(
        self, redis_url: str, *, cluster: bool, pub_sub_mode: PubSubMode, timeout: float
    ) -> None:
        self._cluster = cluster
        self._sharded = pub_sub_mode is PubSubMode.SHARDED or (
            pub_sub_mode is PubSubMode.AUTO and cluster
        )
        options: dict[str, Any] = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "decode_responses": True,
        }
        self._commands: Any
        if cluster:
            nodes = [_cluster_node(seed) for seed in redis_url.split(",") if seed.strip()]
            if not nodes:
                raise ValueError("redis_url names no cluster seed node")
            username, password = _credentials_of(redis_url.split(",")[0])
            self._commands = RedisCluster(
                startup_nodes=nodes,
                username=username,
                password=password,
                retry=Retry(NoBackoff(), 1),
                **options,
            )
        elif urlsplit(redis_url).scheme == SENTINEL_SCHEME:
            self._commands = _sentinel_master(redis_url, options)
        else:
            self._commands = redis.Redis.from_url(redis_url, retry=Retry(NoBackoff(), 0), **options)
        self._pubsub: Any = None

    @property
    def sharded(self) -> bool:
        """Whether live messages come through sharded pub/sub."""
        return self._sharded

    def subscribe(self, channel: str) -> None:
        """Sends the subscription; its confirmation arrives through :meth:`next_message`."""
        self._pubsub = self._commands.pubsub()
        if self._sharded:
            self._pubsub.ssubscribe(channel)
        else:
            self._pubsub.subscribe(channel)

    def next_message(self, timeout: float) -> dict[str, Any] | None:
        """The next pub/sub message (confirmations included), or ``None`` after ``timeout`` s.

        Raises:
            redis.RedisError: the connection failed.
        """
        if self._sharded:
            return self._pubsub.get_sharded_message(timeout=timeout)  # type: ignore[no-any-return]
        return self._pubsub.get_message(timeout=timeout)  # type: ignore[no-any-return]

    def read_after(self, key: str, after: str, count: int) -> list[tuple[str, dict[str, str]]]:
        """Up to ``count`` stream entries with ids after ``after`` (exclusive), in order.

        Raises:
            redis.RedisError: Redis failed or is unreachable.
        """
        start = "-" if after == "0-0" else "(" + after
        return self._commands.xrange(key, min=start, max="+", count=count)  # type: ignore[no-any-return]

    def first_id(self, key: str) -> str | None:
        """The id of the oldest entry in the stream, or ``None`` when it is empty or missing."""
        entries = self._commands.xrange(key, min="-", max="+", count=1)
        return entries[0][0] if entries else None

    def contains(self, key: str, entry_id: str) -> bool:
        """Whether the stream still holds the entry ``entry_id``.

        Raises:
            redis.RedisError: Redis failed or is unreachable.
        """
        return bool(self._commands.xrange(key, min=entry_id, max=entry_id, count=1))

    def last_id(self, key: str) -> str | None:
        """The id of the newest entry in the stream, or ``None`` when it is empty or missing."""
        entries = self._commands.xrevrange(key, max="+", min="-", count=1)
        return entries[0][0] if entries else None

    def close(self) -> None:
        """Closes both connections; never raises."""
        # Closing a broken connection may fail; there is nothing left to do then.
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                self._pubsub.close()
        with contextlib.suppress(Exception):
            self._commands.close()


def _cluster_node(seed: str) -> ClusterNode:
    parts = urlsplit(seed.strip() if "://" in seed else "redis://" + seed.strip())
    if parts.hostname is None:
        raise ValueError(f"cluster seed without host: {seed!r}")
    return ClusterNode(parts.hostname, parts.port or 6379)


def _credentials_of(url: str) -> tuple[str | None, str | None]:
    """``(user name, password)`` of a ``redis://[[user]:password@]host:port`` seed URL."""
    parts = urlsplit(url.strip() if "://" in url else "redis://" + url.strip())
    username = unquote(parts.username) if parts.username and parts.password else None
    return username, unquote(parts.password) if parts.password else None


def _sentinel_master(redis_url: str, options: dict[str, Any]) -> Any:
    parts = urlsplit(redis_url)
    master = unquote(parts.fragment)
    if not master:
        raise ValueError("a redis-sentinel:// URL names the master after '#'")
    netloc = parts.netloc.rpartition("@")[2]
    username = password = None
    if "@" in parts.netloc:
        # "password@" or "user:password@" (an ACL user, Redis 6+), as in redis:// URLs.
        credentials = parts.netloc.rpartition("@")[0]
        name, colon, secret = credentials.partition(":")
        password = unquote(secret if colon else credentials)
        username = unquote(name) if colon and name else None
    sentinels = []
    for host_port in netloc.split(","):
        host, _, port = host_port.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"sentinel address is not host:port: {host_port!r}")
        sentinels.append((host.strip("[]"), int(port)))
    db = int(parts.path.strip("/") or 0)
    sentinel = Sentinel(
        sentinels,
        sentinel_kwargs={
            "socket_timeout": options["socket_timeout"],
            "socket_connect_timeout": options["socket_connect_timeout"],
        },
        **options,
    )
    return sentinel.master_for(
        master, db=db, username=username, password=password, retry=Retry(NoBackoff(), 0)
    )
