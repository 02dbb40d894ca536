"""The app's Redis ACL exactly as docs/operations.md ("ACLs") gives it, on a real redis-server:
the Python client must work with it in every documented start mode.

``start_from="now"`` (documented in the client's options) reads the stream's newest id with
``XREVRANGE`` before subscribing; the documented ACL grants ``+xrange +xread`` only, so such a
subscriber never starts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from peers import RedisProcess
from session_broker import SessionBrokerClient

OPERATIONS = Path(__file__).resolve().parents[3] / "docs" / "operations.md"
PASSWORD = "app1-password"


def documented_app_acl() -> list[str]:
    """The ``ACL SETUSER app-acme-app1 ...`` line of docs/operations.md, with a password."""
    match = re.search(r"^ACL SETUSER app-acme-app1 .*$", OPERATIONS.read_text(), re.MULTILINE)
    assert match is not None, "docs/operations.md no longer documents the app's ACL"
    return match.group(0).replace("APP1_PASSWORD", PASSWORD).split()


@pytest.fixture
def app_user_url(redis_server: RedisProcess) -> Iterator[str]:
    admin = redis.Redis(host="127.0.0.1", port=redis_server.port)
    try:
        admin.execute_command(*documented_app_acl())
        # The broker has written to the stream before the app starts.
        admin.xadd("sb:events:acme:app1", {"event": '{"v":1,"type":"session.revoked"}'})
    finally:
        admin.close()
    yield f"redis://app-acme-app1:{PASSWORD}@127.0.0.1:{redis_server.port}"


def test_a_subscriber_starting_from_now_starts_with_the_documented_app_acl(
    app_user_url: str,
) -> None:
    client = SessionBrokerClient(app_user_url, "acme", "app1", start_from="now", start_timeout=5)
    try:
        client.start()
    finally:
        client.close()
