"""Refuses bearer tokens whose session was revoked after they were issued (SPEC §3.4
resource-server filter), as WSGI middleware; the Django flavour is in ``session_broker.django``.

The check reads the token's ``sid``, ``sub`` and ``iat`` and asks the client's in-memory revoked
set (no broker or Redis call per request), so a logout ends API access at once instead of at the
token's ``exp``. It *does not verify* the token: it can only refuse more, never admit a request
your own token verification would refuse, so keep that verification in place.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from ._numeric_date import numeric_date

__all__ = ["RevokedTokenMiddleware", "bearer_token_revoked"]

WWW_AUTHENTICATE = 'Bearer error="invalid_token", error_description="the session was revoked"'


class _Checker(Protocol):
    def is_revoked(
        self, sid: str | None = None, sub: str | None = None, created_at: datetime | None = None
    ) -> bool: ...


def bearer_token_revoked(checker: _Checker, authorization: str | None) -> bool | None:
    """Judges an ``Authorization`` header value.

    Returns:
        ``None`` when there is no bearer token (nothing to judge), ``True`` when the token is
        unreadable (no JWT, or its ``iat`` is no instant: missing, not a number, ``NaN``, out of
        range), is no access token (Keycloak's ``typ`` claim other than ``Bearer``: an ID or
        refresh token), or its ``sid``/``sub``/client was revoked after its ``iat``, else
        ``False``.
    """
    if not authorization or authorization[:7].lower() != "bearer ":
        return None
    claims = _claims_of(authorization[7:].strip())
    if claims is None:
        return True
    created_at = numeric_date(claims.get("iat"))
    if created_at is None:
        return True
    if claims.get("typ", "Bearer") != "Bearer":
        return True
    sid, sub = claims.get("sid"), claims.get("sub")
    return checker.is_revoked(
        sid=sid if isinstance(sid, str) else None,
        sub=sub if isinstance(sub, str) else None,
        created_at=created_at,
    )


class RevokedTokenMiddleware:
    """WSGI middleware: a request whose bearer token was revoked gets ``401`` with
    ``WWW-Authenticate: Bearer error="invalid_token"`` (an ID or refresh token too); a request
    without a bearer token gets ``401`` with ``WWW-Authenticate: Bearer`` (RFC 6750 §3) unless
    ``allow_anonymous``.

    Args:
        app: the WSGI application.
        checker: a started :class:`session_broker.SessionBrokerClient`.
        allow_anonymous: let requests without a bearer token through (the app's own
            authentication decides), e.g. when the API also serves public paths.
    """

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        checker: _Checker,
        *,
        allow_anonymous: bool = False,
    ) -> None:
        self._app = app
        self._checker = checker
        self._allow_anonymous = allow_anonymous

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        header = environ.get("HTTP_AUTHORIZATION")
        verdict = bearer_token_revoked(self._checker, header)
        if verdict is None and not self._allow_anonymous:
            return _unauthorized(start_response, b'{"error":"missing_token"}', "Bearer")
        if verdict:
            return _unauthorized(start_response, b'{"error":"invalid_token"}', WWW_AUTHENTICATE)
        return self._app(environ, start_response)


def _unauthorized(
    start_response: Callable[..., Any], body: bytes, challenge: str
) -> Iterable[bytes]:
    start_response(
        "401 Unauthorized",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("WWW-Authenticate", challenge),
        ],
    )
    return [body]


def _claims_of(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, RecursionError):
        # The token is not verified yet: any caller controls it, e.g. arrays nested thousands deep.
        return None
    return claims if isinstance(claims, dict) else None
