"""Registers local sessions with the broker's REST API (SPEC §3.2 ``/api/v1/sessions``)."""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any

from .events import parse_instant
from .exceptions import (
    BrokerRedirectError,
    BrokerResponseError,
    RegistryFullError,
    SessionBrokerError,
    SessionRevokedError,
    TooManySessionsForSidError,
)

__all__ = ["SessionRecord", "SessionRegistrationClient"]

_LOG = logging.getLogger("session_broker")


@dataclass(frozen=True)
class SessionRecord:
    """A registration as the broker stores it.

    Attributes:
        issuer: issuer alias. client_id: the app's client. session_id: the local session id.
        sid, sub: SSO session and user. created_at, expires_at: aware UTC datetimes.
        status: ``"active"`` or ``"revoked"``. revoked_at: when revoked, else ``None``.
    """

    issuer: str
    client_id: str
    session_id: str
    sid: str | None
    sub: str | None
    created_at: datetime | None
    expires_at: datetime | None
    status: str
    revoked_at: datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionRecord:
        """Reads the broker's JSON record (unknown members ignored)."""

        def instant(name: str) -> datetime | None:
            value = data.get(name)
            return parse_instant(value) if isinstance(value, str) else None

        return cls(
            issuer=str(data.get("issuer", "")),
            client_id=str(data.get("clientId", "")),
            session_id=str(data.get("sessionId", "")),
            sid=data.get("sid"),
            sub=data.get("sub"),
            created_at=instant("createdAt"),
            expires_at=instant("expiresAt"),
            status=str(data.get("status", "")),
            revoked_at=instant("revokedAt"),
        )


class SessionRegistrationClient:
    """Registers and unregisters local sessions over HTTP (standard library ``urllib``).

    Every request carries ``Authorization: Bearer <token>`` from ``bearer_token``, called anew
    for every attempt so a refreshed service-account token is picked up. Connection failures and
    ``5xx`` answers are retried with exponential back-off up to ``max_attempts``; ``4xx`` never.
    Redirects are never followed: a ``3xx`` answer is a :class:`BrokerRedirectError`.
    Neither the bearer token nor the ID token ever appears in an exception message or a log line.

    Args:
        broker_url: the broker's base URL, e.g. ``https://broker.example.com``.
        bearer_token: returns the app's access token (client-credentials grant).
        timeout: per-request timeout, seconds.
        max_attempts: attempts per call (>= 1).
        initial_backoff: first back-off, seconds; doubled per attempt, at most ``max_backoff``.
    """

    def __init__(
        self,
        broker_url: str,
        bearer_token: Callable[[], str],
        *,
        timeout: float = 5.0,
        max_attempts: int = 3,
        initial_backoff: float = 0.2,
        max_backoff: float = 2.0,
    ) -> None:
        parts = urllib.parse.urlsplit(broker_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("broker_url must be an absolute http(s) URL")
        if max_attempts < 1 or timeout <= 0:
            raise ValueError("max_attempts and timeout must be positive")
        self._sessions_url = broker_url.rstrip("/") + "/api/v1/sessions"
        self._bearer_token = bearer_token
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff

    def register(self, session_id: str, id_token: str) -> SessionRecord:
        """Registers a local session with the ID token from sign-in; the broker verifies it and
        takes issuer, ``sid`` and ``sub`` from it.

        Raises:
            SessionRevokedError: ``409 session_revoked``: the SSO session was already logged out;
                drop the local session.
            TooManySessionsForSidError: ``409 too_many_sessions_for_sid``: the ``sid`` already
                holds the most registrations one sid may have.
            RegistryFullError: ``503 registry_full`` after the retries: register again after its
                ``retry_after`` seconds.
            BrokerRedirectError: a ``3xx`` answer (redirects are never followed).
            BrokerResponseError: any other error answer.
            SessionBrokerError: the broker could not be reached.
            ValueError: a blank argument.
        """
        _require_text(session_id, "session_id")
        _require_text(id_token, "id_token")
        return self._register({"sessionId": session_id, "idToken": id_token})

    def register_sid(
        self,
        session_id: str,
        sid: str,
        *,
        sub: str | None = None,
        expires_at: datetime | None = None,
        issued_at: datetime | None = None,
    ) -> SessionRecord:
        """Registers a local session by its SSO session id (issuer: the bearer token's).

        Raises:
            SessionRevokedError, TooManySessionsForSidError, RegistryFullError,
                BrokerResponseError, SessionBrokerError, ValueError: as :meth:`register`.
        """
        _require_text(session_id, "session_id")
        _require_text(sid, "sid")
        body: dict[str, Any] = {"sessionId": session_id, "sid": sid}
        if sub is not None:
            body["sub"] = sub
        if expires_at is not None:
            body["expiresAt"] = _instant_text(expires_at)
        if issued_at is not None:
            body["issuedAt"] = _instant_text(issued_at)
        return self._register(body)

    def unregister(self, session_id: str) -> None:
        """Deletes a registration (local logout); one already gone (``404``) counts as success.

        Raises:
            BrokerRedirectError: a ``3xx`` answer (redirects are never followed).
            BrokerResponseError: the broker refused.
            SessionBrokerError: the broker could not be reached.
        """
        _require_text(session_id, "session_id")
        url = self._sessions_url + "/" + urllib.parse.quote(session_id, safe="")
        status, body, headers = self._send("DELETE", url, None)
        if status == 404 or 200 <= status < 300:
            return
        raise _error("unregister", status, body, headers)

    def _register(self, body: dict[str, Any]) -> SessionRecord:
        status, answer, headers = self._send("POST", self._sessions_url, json.dumps(body).encode())
        if status in (200, 201):
            return SessionRecord.from_json(json.loads(answer))
        raise _error("register", status, answer, headers)

    def _send(self, method: str, url: str, body: bytes | None) -> tuple[int, bytes, Message]:
        backoff = self._initial_backoff
        for attempt in range(1, self._max_attempts + 1):
            headers = {
                "Authorization": "Bearer " + self._bearer_token(),
                "Accept": "application/json, application/problem+json",
            }
            if body is not None:
                headers["Content-Type"] = "application/json"
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                with _OPENER.open(request, timeout=self._timeout) as response:
                    return response.status, response.read(), response.headers
            except urllib.error.HTTPError as e:
                status, answer = e.code, e.read()
                if 300 <= status < 400:
                    raise _redirect_error(method, url, status, e.headers) from None
                if status < 500 or attempt == self._max_attempts:
                    return status, answer, e.headers
                failure = f"HTTP {status}"
            except (urllib.error.URLError, OSError) as e:
                if attempt == self._max_attempts:
                    raise SessionBrokerError(
                        f"{method} {url} failed after {attempt} attempt(s): {_reason(e)}"
                    ) from None
                failure = _reason(e)
            _LOG.debug("%s %s failed (%s); retrying in %.1f s", method, url, failure, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)
        raise AssertionError("unreachable")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Follows no redirect: ``urllib`` would resend a ``POST`` as a body-less ``GET`` (a
    registration never stored would read as a record) and carry the bearer token to the new
    location, which may be another origin. The ``3xx`` answer reaches :meth:`_send` instead."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _redirect_error(method: str, url: str, status: int, headers: Message) -> BrokerRedirectError:
    """The error for a ``3xx`` answer; its ``Location`` without any userinfo (credentials)."""
    location = headers.get("Location")
    shown = None
    if isinstance(location, str) and location.strip():
        try:
            parts = urllib.parse.urlsplit(location.strip())
            shown = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        except ValueError:
            shown = "(unreadable Location)"
    return BrokerRedirectError(
        f"{method} {url} answered HTTP {status} redirecting to {shown or '(no Location)'}:"
        " redirects are not followed; set broker_url to the broker's final URL",
        status=status,
        location=shown,
    )


def _error(action: str, status: int, body: bytes, headers: Message) -> BrokerResponseError:
    """The exception for an error answer: the dedicated class of a known problem (by status and
    problem code), else :class:`BrokerResponseError`."""
    problem_type = detail = code = None
    try:
        data = json.loads(body)
        if isinstance(data, dict):
            problem_type = data.get("type") or data.get("error")
            detail = data.get("detail") or data.get("title") or data.get("error_description")
            code = _problem_code(data)
    except ValueError:
        pass
    message = f"broker refused to {action}: HTTP {status}" + (f" ({detail})" if detail else "")
    fields: dict[str, Any] = {"status": status, "problem_type": problem_type, "detail": detail}
    if status == 409 and code == "session_revoked":
        return SessionRevokedError(
            "the SSO session was already logged out (409 session_revoked)", **fields
        )
    if status == 409 and code == "too_many_sessions_for_sid":
        return TooManySessionsForSidError(message, **fields)
    if status == 503 and code == "registry_full":
        return RegistryFullError(message, retry_after=_retry_after(headers), **fields)
    return BrokerResponseError(message, **fields)


def _problem_code(problem: dict[str, Any]) -> str | None:
    """The RFC 9457 problem's ``code``, else the last segment of its ``type``, else ``error``."""
    code = problem.get("code")
    if isinstance(code, str) and code.strip():
        return code
    problem_type = problem.get("type")
    if isinstance(problem_type, str) and problem_type not in ("", "about:blank"):
        return re.split(r"[/:#]", problem_type)[-1]
    error = problem.get("error")
    return error if isinstance(error, str) else None


def _retry_after(headers: Message) -> int | None:
    """``Retry-After`` (RFC 9110 §10.2.3) in whole seconds: delta-seconds, or an HTTP-date
    counted from now (not negative); ``None`` when absent or unreadable.

    Total: any header value gives seconds or ``None``, never an exception (the value comes from
    the network, and an exception here would replace the :class:`RegistryFullError` it belongs
    to)."""
    value = headers.get("Retry-After")
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        if value.isascii() and value.isdigit():
            return int(value)
        at = parsedate_to_datetime(value)
        if at.tzinfo is None:
            return None
        return max(0, int((at - datetime.now(timezone.utc)).total_seconds()))
    except (ArithmeticError, LookupError, TypeError, ValueError):
        # What the standard library raises for values it cannot represent: a year beyond
        # datetime's range (ValueError, or OverflowError past a C int), more digits than
        # int() converts (ValueError), a date parsedate cannot split (TypeError, IndexError).
        return None


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return str(reason if reason is not None else error)


def _instant_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return value.isoformat().replace("+00:00", "Z")


def _require_text(value: str, name: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{name} must not be blank")
