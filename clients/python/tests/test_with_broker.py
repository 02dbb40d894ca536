"""Against the real packaged broker: registration (201, 409 session_revoked, 409
too_many_sessions_for_sid, 503 registry_full), a back-channel logout reaching the Python listener,
and the resource-server middleware's sequence."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from peers import BrokerProcess, RedisProcess, TestIssuer, signed_in_recently, wait_until
from session_broker import (
    BrokerResponseError,
    RegistryFullError,
    RevocationEvent,
    RevokedTokenMiddleware,
    SessionBrokerClient,
    SessionRegistrationClient,
    SessionRevokedError,
    TooManySessionsForSidError,
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def client_id() -> str:
    return unique("app-py")


@pytest.fixture
def subscriber(broker_redis: RedisProcess, client_id: str) -> Iterator[SessionBrokerClient]:
    with SessionBrokerClient(broker_redis.url, "test", client_id) as client:
        yield client


def registrations(broker: BrokerProcess, issuer: TestIssuer, client_id: str) -> Any:
    return SessionRegistrationClient(broker.url, lambda: issuer.access_token(client_id))


def test_registration_201_then_logout_reaches_the_listener(
    broker: BrokerProcess,
    issuer: TestIssuer,
    client_id: str,
    subscriber: SessionBrokerClient,
) -> None:
    seen: list[RevocationEvent] = []
    subscriber.add_listener(seen.append)
    sid, session_id = unique("sid"), unique("django-session")
    record = registrations(broker, issuer, client_id).register(
        session_id, issuer.id_token(client_id, sid, "alice")
    )
    assert (record.session_id, record.sid, record.sub) == (session_id, sid, "alice")
    assert record.status == "active"

    assert broker.backchannel_logout(issuer.logout_token(client_id, sid, "alice")) == 200

    wait_until(lambda: len(seen) == 1, 30, "the logout event at the Python listener")
    event = seen[0]
    assert (event.type.value, event.reason.value, event.sid, event.sub) == (
        "session.revoked",
        "backchannel_logout",
        sid,
        "alice",
    )
    assert event.session_ids == (session_id,)
    assert subscriber.is_revoked(sid=sid, created_at=signed_in_recently())
    assert subscriber.is_session_revoked(session_id)


def test_registration_after_the_logout_of_its_sid_is_409_session_revoked(
    broker: BrokerProcess, issuer: TestIssuer, client_id: str
) -> None:
    sid = unique("sid")
    id_token = issuer.id_token(client_id, sid, "bob")
    assert broker.backchannel_logout(issuer.logout_token(client_id, sid, "bob")) == 200
    with pytest.raises(SessionRevokedError) as refused:
        registrations(broker, issuer, client_id).register(unique("s"), id_token)
    assert refused.value.status == 409
    assert id_token not in str(refused.value)


def test_registration_beyond_the_sids_cap_is_409_too_many_sessions_for_sid(
    broker: BrokerProcess, issuer: TestIssuer, client_id: str
) -> None:
    token = issuer.access_token(client_id)
    api = SessionRegistrationClient(broker.url, lambda: token)
    sid = unique("sid")
    held = [unique("s") for _ in range(100)]  # the broker's default max-per-sid
    for session_id in held:
        api.register_sid(session_id, sid, sub="dave")

    with pytest.raises(TooManySessionsForSidError) as refused:
        api.register_sid(unique("s"), sid, sub="dave")
    assert refused.value.status == 409
    assert isinstance(refused.value, BrokerResponseError)
    assert token not in str(refused.value)
    # A session the sid already holds is still updated.
    assert api.register_sid(held[0], sid, sub="dave").session_id == held[0]


def test_registration_while_redis_memory_is_kept_for_revocations_is_503_registry_full(
    broker: BrokerProcess, broker_redis: RedisProcess, issuer: TestIssuer, client_id: str
) -> None:
    api = SessionRegistrationClient(
        broker.url, lambda: issuer.access_token(client_id), initial_backoff=0.01
    )
    admin = redis.Redis.from_url(broker_redis.url)
    refused: list[RegistryFullError] = []

    def refused_as_full() -> bool:
        try:
            api.register_sid(unique("s"), unique("sid"))
        except RegistryFullError as e:
            refused.append(e)
            return True
        return False

    try:
        # Past the hard limit (halfway from max-memory-share 0.9 to maxmemory): every registration.
        used = int(admin.info("memory")["used_memory"])
        admin.config_set("maxmemory", str(used * 103 // 100))
        wait_until(refused_as_full, 30, "the broker's reading of Redis's maxmemory")
    finally:
        admin.config_set("maxmemory", "0")
        admin.close()
    error = refused[0]
    assert error.status == 503
    assert error.retry_after == 30
    assert isinstance(error, BrokerResponseError)
    # Room again: the next reading lifts the refusal, for the tests after this one.
    wait_until(lambda: not refused_as_full(), 30, "registrations accepted again")


def test_unregister_and_a_refused_caller(
    broker: BrokerProcess, issuer: TestIssuer, client_id: str
) -> None:
    api = registrations(broker, issuer, client_id)
    session_id = unique("s")
    api.register(session_id, issuer.id_token(client_id, unique("sid"), "carol"))
    api.unregister(session_id)
    api.unregister(session_id)  # Already gone: still fine.
    anonymous = SessionRegistrationClient(broker.url, lambda: "not-a-token")
    with pytest.raises(BrokerResponseError) as refused:
        anonymous.register(unique("s"), issuer.id_token(client_id, unique("sid"), "carol"))
    assert refused.value.status == 401


def call(app: Any, token: str | None) -> tuple[str, dict[str, str]]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/orders"}
    if token is not None:
        environ["HTTP_AUTHORIZATION"] = "Bearer " + token
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    b"".join(app(environ, start_response))
    return answer["status"], answer["headers"]


def test_resource_server_middleware_refuses_a_token_of_a_logged_out_session(
    broker: BrokerProcess,
    issuer: TestIssuer,
    client_id: str,
    subscriber: SessionBrokerClient,
) -> None:
    def api(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"orders": []}).encode()]

    app = RevokedTokenMiddleware(api, subscriber)
    alice_sid, bob_sid = unique("sid"), unique("sid")
    alice = issuer.access_token(client_id, sub="alice", sid=alice_sid)
    bob = issuer.access_token(client_id, sub="bob", sid=bob_sid)
    assert call(app, alice)[0] == "200 OK"

    assert broker.backchannel_logout(issuer.logout_token(client_id, alice_sid, "alice")) == 200

    # The same, still unexpired token is refused (the bound guards against a hang only).
    wait_until(lambda: call(app, alice)[0].startswith("401"), 30, "alice's token refused")
    _, headers = call(app, alice)
    assert headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert call(app, bob)[0] == "200 OK"
    assert call(app, "forged.not-a-jwt")[0].startswith("401")
    assert call(app, issuer.id_token(client_id, unique("sid"), "bob"))[0].startswith("401")
    status, headers = call(app, None)
    assert status.startswith("401")
    assert headers["WWW-Authenticate"] == "Bearer"
    anonymous = RevokedTokenMiddleware(api, subscriber, allow_anonymous=True)
    assert call(anonymous, None)[0] == "200 OK"
