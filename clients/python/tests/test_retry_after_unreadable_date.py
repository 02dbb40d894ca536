"""A ``503 registry_full`` whose ``Retry-After`` is a date Python cannot represent: the documented
``RegistryFullError`` (with ``retry_after`` ``None``, "unreadable"), never another exception.

The Django sign-in signal catches ``SessionBrokerError`` only, so any other exception escaping
``register`` turns the user's sign-in into a server error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from session_broker import RegistryFullError, SessionRegistrationClient

UNREPRESENTABLE_DATE = "1 Jan 99999999999999999999 00:00 GMT"


class _RegistryFull(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(
            {
                "type": "urn:session-broker:problem:registry_full",
                "title": "Service Unavailable",
                "status": 503,
                "detail": "registrations are refused for now",
                "code": "registry_full",
            }
        ).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Retry-After", UNREPRESENTABLE_DATE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def broker_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RegistryFull)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_unrepresentable_retry_after_date_is_registry_full_without_a_wait(
    broker_url: str,
) -> None:
    client = SessionRegistrationClient(broker_url, lambda: "token", max_attempts=1)

    with pytest.raises(RegistryFullError) as refused:
        client.register_sid("django-session-1", "sid-1")

    assert refused.value.retry_after is None
