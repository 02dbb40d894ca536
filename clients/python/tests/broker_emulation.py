"""Writes events the way the broker does (SPEC §3.3): append to the stream first, then publish
the same bytes on the channel. Used where a test needs control the real broker does not give
(ids, a subscriber that is away, a Redis restart); the real broker has its own tests below."""

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
    ) -> str:
        members = {"type": "session.revoked", "sid": sid, "sub": sub}
        return self.write(members, publish=publish, at=at)

    def revoke_user(self, sub: str, at: datetime | None = None) -> str:
        return self.write({"type": "user.revoked", "sub": sub}, at=at)

    def write(
        self, members: dict[str, Any], *, publish: bool = True, at: datetime | None = None
    ) -> str:
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
        self.redis.xadd(self.stream, {"event": payload}, id=event_id)
        if publish:
            self.publish_only(payload)
        return event_id

    def publish_only(self, payload: str) -> None:
        if self.sharded:
            self.redis.spublish(self.channel, payload)
        else:
            self.redis.publish(self.channel, payload)
