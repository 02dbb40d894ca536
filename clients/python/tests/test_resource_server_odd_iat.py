"""The resource-server middleware reads the bearer token's claims *before* the app verifies it
(SPEC §3.4: a token it cannot judge is refused with 401, never admitted). Any caller chooses those
claims: an ``iat`` that is a number but no instant (``1e300``, ``-1e300``, JSON's ``NaN`` and
``Infinity``, which Python's ``json`` reads) must be a clear 401 like any unreadable token, not an
exception out of the middleware (a 500 and a logged traceback per request)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from peers import RedisProcess
from session_broker import RevokedTokenMiddleware, SessionBrokerClient


def forged(payload: str) -> str:
    def b64(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    return b64('{"alg":"RS256","kid":"k"}') + "." + b64(payload) + ".c2ln"


def api(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


@pytest.mark.parametrize("iat", ["1e300", "-1e300", "NaN", "Infinity", "99999999999999"])
def test_a_token_whose_iat_is_no_instant_is_refused_with_401(
    redis_server: RedisProcess, iat: str
) -> None:
    with SessionBrokerClient(redis_server.url, "acme", "app1") as client:
        app = RevokedTokenMiddleware(api, client)
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/orders",
            "HTTP_AUTHORIZATION": "Bearer "
            + forged('{"typ":"Bearer","sub":"alice","sid":"s1","iat":' + iat + "}"),
        }
        answer: dict[str, str] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            answer["status"] = status

        b"".join(app(environ, start_response))

        assert answer["status"].startswith("401")
