"""Writes events the way the broker does (SPEC §3.3): append to the stream first (the event
without ``id``: the entry id is the id), then publish the event with ``id`` on the channel. Used
where a test needs control the real broker does not give (ids, a subscriber that is away, a Redis
restart); the real broker has its own tests below."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

import redis

from session_broker._redis import channel_name, stream_key


class EventWriter:
    def __init__(self, client: Any, alias: str = "acme", client_id: str = "app1") -> None:
        self.redis = client
        self.alias = alias
        self.client_id = client_id
        self.stream = stream_key("sb", alias, client_id)
        self.channel = channel_name("sb", alias, client_id)
        self.sharded = isinstance(client, redis.RedisCluster)
        self._last_ms = 0

    def revoke_sid(
        self,
        sid: str,
        *,
        sub: str | None = None,
        publish: bool = True,
        at: datetime | None = None,
        stored_with_id: bool = False,
    ) -> str:
        members = {"type": "session.revoked", "sid": sid, "sub": sub}
        return self.write(members, publish=publish, at=at, stored_with_id=stored_with_id)

    def revoke_user(self, sub: str, at: datetime | None = None) -> str:
        return self.write({"type": "user.revoked", "sub": sub}, at=at)

    def write(
        self,
        members: dict[str, Any],
        *,
        publish: bool = True,
        at: datetime | None = None,
        stored_with_id: bool = False,
    ) -> str:
        """Appends (and publishes) one event; returns its id.

        ``stored_with_id`` stores the event with its ``id`` member, as brokers before this
        library version did.
        """
        ms = max(int(time.time() * 1000), self._last_ms + 1)
        self._last_ms = ms
        event_id = f"{ms}-0"
        at = at or datetime.now(timezone.utc)
        event = {
            "v": 1,
            "id": event_id,
            "reason": "backchannel_logout",
            "issuer": self.alias,
            "clientId": self.client_id,
            "sessionIds": [],
            "at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        } | {k: v for k, v in members.items() if v is not None}
        payload = json.dumps(event)
        stored = payload if stored_with_id else json.dumps(without_id(event))
        self.redis.xadd(self.stream, {"event": stored}, id=event_id)
        if publish:
            self.publish_only(payload)
        return event_id

    def publish_only(self, payload: str) -> None:
        if self.sharded:
            self.redis.spublish(self.channel, payload)
        else:
            self.redis.publish(self.channel, payload)


def without_id(event: dict[str, Any]) -> dict[str, Any]:
    """The event as the broker stores it in the stream: every member but ``id``."""
    return {k: v for k, v in event.items() if k != "id"}


def published_form(entry_id: str, stored: str) -> str:
    """The message the broker publishes for a stream entry: the stored event with ``id`` after
    ``v``, the entry id winning over a stored ``id``."""
    data = json.loads(stored)
    return json.dumps({"v": data["v"], "id": entry_id} | without_id(data))
