"""The broker's URL answering a redirect (an ingress that sends ``http://`` to ``https://`` with
``302``, a moved host): ``urllib`` follows a redirected ``POST`` as a ``GET``, without its body.

A registration that was never stored must not come back as a stored record (the Django sign-in
then believes the session is registered, and never sees ``409 session_revoked``), and the app's
bearer token must not be handed to another origin."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from session_broker import BrokerRedirectError, SessionBrokerError, SessionRegistrationClient

TOKEN = "app1-service-account-token"


class _Recorder(BaseHTTPRequestHandler):
    """Answers ``GET /api/v1/sessions`` as the broker's query does; records what it received."""

    received: ClassVar[list[tuple[str, str, str | None]]] = []

    def do_GET(self) -> None:
        self.received.append((self.command, self.path, self.headers.get("Authorization")))
        body = b'{"items":[],"next":null}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _redirecting_to(location: str, status: int = 302) -> type[BaseHTTPRequestHandler]:
    class Redirecting(_Recorder):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._redirect()

        def do_DELETE(self) -> None:
            self._redirect()

        def _redirect(self) -> None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Redirecting


@pytest.fixture
def target() -> Iterator[ThreadingHTTPServer]:
    _Recorder.received = []
    server = _serve(_Recorder)
    yield server
    server.shutdown()
    server.server_close()


def test_a_redirected_registration_is_an_error_not_an_empty_record(
    target: ThreadingHTTPServer,
) -> None:
    # The same host (an http-to-https redirect of an ingress): the follow-up GET reads a query page.
    port = target.server_address[1]
    broker = _serve(_redirecting_to(f"http://127.0.0.1:{port}/api/v1/sessions"))
    try:
        client = SessionRegistrationClient(
            f"http://127.0.0.1:{broker.server_address[1]}", lambda: TOKEN, max_attempts=1
        )
        with pytest.raises(SessionBrokerError):
            client.register_sid("django-session-1", "sid-1")
    finally:
        broker.shutdown()
        broker.server_close()


def test_the_bearer_token_never_follows_a_redirect_to_another_origin(
    target: ThreadingHTTPServer,
) -> None:
    elsewhere = f"http://localhost:{target.server_address[1]}/collect"
    broker = _serve(_redirecting_to(elsewhere))
    try:
        client = SessionRegistrationClient(
            f"http://127.0.0.1:{broker.server_address[1]}", lambda: TOKEN, max_attempts=1
        )
        with contextlib.suppress(SessionBrokerError):
            client.register_sid("django-session-1", "sid-1")
    finally:
        broker.shutdown()
        broker.server_close()

    assert [auth for _, _, auth in _Recorder.received if auth and TOKEN in auth] == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("call", ["register", "register_sid", "unregister"])
def test_every_call_refuses_every_redirect_naming_status_and_location(
    target: ThreadingHTTPServer, status: int, call: str
) -> None:
    port = target.server_address[1]
    broker = _serve(_redirecting_to(f"http://user:secret@127.0.0.1:{port}/moved?x=1", status))
    try:
        client = SessionRegistrationClient(
            f"http://127.0.0.1:{broker.server_address[1]}", lambda: TOKEN, max_attempts=3
        )
        with pytest.raises(BrokerRedirectError) as refused:
            if call == "register":
                client.register("django-session-1", "an.id.token")
            elif call == "register_sid":
                client.register_sid("django-session-1", "sid-1")
            else:
                client.unregister("django-session-1")
    finally:
        broker.shutdown()
        broker.server_close()

    assert refused.value.status == status
    assert refused.value.location == f"http://127.0.0.1:{port}/moved?x=1"
    message = str(refused.value)
    assert f"HTTP {status}" in message
    assert f"http://127.0.0.1:{port}/moved?x=1" in message
    assert TOKEN not in message and "secret" not in message
    assert _Recorder.received == []
