"""The resource-server middleware decodes the bearer token's payload *before* the app verifies
it, so any anonymous caller chooses it. A payload of nested JSON arrays a few thousand deep (a few
KB, well within a request header) makes Python's ``json`` raise ``RecursionError``, which is no
``ValueError``: it leaves the middleware, so the caller gets a 500 and the app logs a traceback
per request instead of the 401 of any other unreadable token (SPEC §3.4)."""

from __future__ import annotations

import base64
from typing import Any

from peers import RedisProcess
from session_broker import RevokedTokenMiddleware, SessionBrokerClient


def forged(payload: str) -> str:
    def b64(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    return b64('{"alg":"RS256","kid":"k"}') + "." + b64(payload) + ".c2ln"


def api(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


def test_a_token_whose_payload_nests_too_deep_is_refused_with_401(
    redis_server: RedisProcess,
) -> None:
    depth = 5000
    token = forged("[" * depth + "]" * depth)
    assert len(token) < 16 * 1024, "fits a request header"
    with SessionBrokerClient(redis_server.url, "acme", "app1") as client:
        app = RevokedTokenMiddleware(api, client)
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/orders",
            "HTTP_AUTHORIZATION": "Bearer " + token,
        }
        answer: dict[str, str] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            answer["status"] = status

        b"".join(app(environ, start_response))

        assert answer["status"].startswith("401")
