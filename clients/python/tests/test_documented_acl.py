"""The client runs as the app's Redis user exactly as docs/operations.md (section ACLs) defines
it, against a real redis-server: it starts from either position, catches up, detects trimmed
events and receives live revocations, and Redis refuses none of its commands. A redis-py call
added to the client without a matching rule in the documented ACL fails this module."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path
from typing import Any

import pytest
import redis

from broker_emulation import EventWriter
from peers import (
    REPO_ROOT,
    RedisClusterSetup,
    RedisProcess,
    SentinelSetup,
    signed_in_recently,
    wait_until,
)
from session_broker import FileLastSeenIdStore, RevocationEvent, SessionBrokerClient

OPERATIONS = REPO_ROOT / "docs" / "operations.md"
REDIS_MODULE = REPO_ROOT / "clients" / "python" / "src" / "session_broker" / "_redis.py"
APP_USER = "app-acme-app1"
BROKER_USER = "session-broker"

# redis-py methods on the connections that send no command of their own (they read replies,
# create the pub/sub object or drop the socket).
_NOT_COMMANDS = {"pubsub", "get_message", "get_sharded_message", "close"}
# Connection set-up that redis-py sends where the server knows it and whose refusal it ignores
# (docs/operations.md makes the rules optional): CLIENT SETINFO (Redis 7.2+), CLIENT
# MAINT_NOTIFICATIONS.
_IGNORED_REFUSALS = {"client|setinfo", "client|maint_notifications"}


def documented_acl(user: str) -> list[str]:
    """The words of the one ``ACL SETUSER <user> ...`` line of docs/operations.md."""
    lines = [
        line.strip()
        for line in OPERATIONS.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(f"ACL SETUSER {user} ")
    ]
    assert len(lines) == 1, f"one ACL SETUSER {user} line in {OPERATIONS}"
    return lines[0].split()


def documented_cluster_rules() -> list[str]:
    """The rules docs/operations.md adds to the app's user in Redis Cluster."""
    text = OPERATIONS.read_text(encoding="utf-8")
    after_app_acl = text[text.index(f"ACL SETUSER {APP_USER} ") :]
    sentence = re.search(r"\n\* In Redis Cluster add (.*?)\.\n", after_app_acl, re.DOTALL)
    assert sentence, f"the app's Redis Cluster rules in {OPERATIONS}"
    return re.findall(r"\+[a-z|_]+", sentence.group(1))


def password_of(acl: list[str]) -> str:
    return next(word[1:] for word in acl if word.startswith(">"))


def allowed_commands(acl: list[str]) -> set[str]:
    return {word[1:].lower() for word in acl if word.startswith("+")}


class Recorder:
    def __init__(self) -> None:
        self.events: list[RevocationEvent] = []

    def __call__(self, event: RevocationEvent) -> None:
        self.events.append(event)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in list(self.events)]


@pytest.fixture
def users(redis_server: RedisProcess) -> dict[str, str]:
    """Applies the documented ACL lines; the URLs of the app's and the broker's users."""
    urls = {}
    for user in (APP_USER, BROKER_USER):
        acl = documented_acl(user)
        assert redis_server.command(*acl) == "OK", " ".join(acl)
        urls[user] = f"redis://{user}:{password_of(acl)}@127.0.0.1:{redis_server.port}"
    return urls


@pytest.fixture
def admin(redis_server: RedisProcess) -> Any:
    return redis.Redis.from_url(redis_server.url, decode_responses=True)


@pytest.fixture
def broker_writer(users: dict[str, str]) -> EventWriter:
    return EventWriter(redis.Redis.from_url(users[BROKER_USER], decode_responses=True))


def app_user_connections(admin: Any) -> int:
    """Connections authenticated as the app's user (the client holds a pub/sub and a command
    connection); a client that dropped the user name would authenticate as ``default``."""
    return sum(1 for connection in admin.client_list() if connection["user"] == APP_USER)


def refusals(admin: Any) -> list[str]:
    """What Redis refused to the app's user (``ACL LOG``), other than the ignored set-up."""
    return [
        f"{entry['reason']} {entry['object']}"
        for entry in admin.acl_log()
        if entry["username"] == APP_USER and entry["object"] not in _IGNORED_REFUSALS
    ]


@pytest.mark.parametrize("start_from", ["retained", "now"])
def test_acl_documented_app_user_starts_catches_up_and_receives_live_events(
    start_from: str, users: dict[str, str], broker_writer: EventWriter, admin: Any
) -> None:
    retained = broker_writer.revoke_sid("sid-before-start", publish=False)
    recorder = Recorder()
    client = SessionBrokerClient(
        users[APP_USER],
        "acme",
        "app1",
        start_from=start_from,
        start_timeout=10.0,
        max_reconnect_delay=0.5,
    )
    client.add_listener(recorder)
    with client:
        assert recorder.ids == ([retained] if start_from == "retained" else [])
        live = broker_writer.revoke_sid("sid-live")
        wait_until(lambda: live in recorder.ids, 30, "the live event")
        assert client.is_revoked(sid="sid-live", created_at=signed_in_recently())
        assert app_user_connections(admin) >= 2
    assert refusals(admin) == []


def test_acl_documented_app_user_detects_events_trimmed_while_it_was_away(
    users: dict[str, str],
    broker_writer: EventWriter,
    admin: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen = broker_writer.revoke_sid("sid-seen", publish=False)
    broker_writer.revoke_sid("sid-trimmed", publish=False)
    kept = broker_writer.revoke_sid("sid-kept", publish=False)
    admin.xtrim(broker_writer.stream, minid=kept, approximate=False)
    store = FileLastSeenIdStore(tmp_path / "last-seen-id")
    store.save(seen)
    recorder = Recorder()
    client = SessionBrokerClient(
        users[APP_USER], "acme", "app1", last_seen_store=store, start_timeout=10.0
    )
    client.add_listener(recorder)
    with caplog.at_level(logging.WARNING, logger="session_broker"), client:
        assert recorder.ids == [kept]
    assert any("may have been trimmed" in r.getMessage() for r in caplog.records), caplog.text
    assert refusals(admin) == []


def test_acl_documented_app_user_allows_every_command_the_client_sends() -> None:
    """Each redis-py method the Redis module calls on its connections is a command (``xinfo_stream``
    is ``XINFO STREAM``) that the documented app ACL allows."""
    calls = set()
    for node in ast.walk(ast.parse(REDIS_MODULE.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr in ("_commands", "_pubsub")
        ):
            calls.add(node.func.attr)
    assert {"xrange", "subscribe", "ssubscribe"} <= calls, "the scan finds the client's calls"
    commands = {re.sub(r"_", "|", name, count=1) for name in calls - _NOT_COMMANDS}
    missing = sorted(commands - allowed_commands(documented_acl(APP_USER)))
    assert missing == [], f"allow these in the app ACL of {OPERATIONS}: {missing}"


def test_acl_documented_app_user_through_sentinel(sentinel: SentinelSetup) -> None:
    acl = documented_acl(APP_USER)
    assert sentinel.master.command(*acl) == "OK"
    admin = redis.Redis.from_url(sentinel.master.url, decode_responses=True)
    admin.acl_log_reset()
    writer = EventWriter(admin)
    admin.delete(writer.stream)
    retained = writer.revoke_sid("sid-retained", publish=False)
    recorder = Recorder()
    url = sentinel.url.replace("://", f"://{APP_USER}:{password_of(acl)}@", 1)
    client = SessionBrokerClient(url, "acme", "app1", start_timeout=10.0)
    client.add_listener(recorder)
    with client:
        live = writer.revoke_sid("sid-live")
        wait_until(lambda: recorder.ids == [retained, live], 30, "both events via Sentinel")
        assert app_user_connections(admin) >= 2
    assert refusals(admin) == []
    admin.close()


def test_acl_documented_app_user_on_cluster(redis_cluster: RedisClusterSetup) -> None:
    acl = documented_acl(APP_USER)
    for node in redis_cluster.nodes:
        assert node.command(*acl) == "OK"
        assert node.command("ACL", "SETUSER", APP_USER, *documented_cluster_rules()) == "OK"
        assert node.command("ACL", "LOG", "RESET") == "OK"
    cluster = redis.RedisCluster.from_url(redis_cluster.nodes[0].url, decode_responses=True)
    writer = EventWriter(cluster)
    cluster.delete(writer.stream)
    retained = writer.revoke_sid("sid-retained", publish=False)
    recorder = Recorder()
    seeds = ",".join(
        f"redis://{APP_USER}:{password_of(acl)}@127.0.0.1:{node.port}"
        for node in redis_cluster.nodes
    )
    client = SessionBrokerClient(seeds, "acme", "app1", cluster=True, start_timeout=10.0)
    client.add_listener(recorder)
    with client:
        live = writer.revoke_sid("sid-live")
        wait_until(lambda: recorder.ids == [retained, live], 30, "both events on the cluster")
        nodes = [
            redis.Redis.from_url(node.url, decode_responses=True) for node in redis_cluster.nodes
        ]
        assert sum(app_user_connections(admin) for admin in nodes) >= 2
    for admin in nodes:
        assert refusals(admin) == [], admin
        admin.close()
    cluster.close()
