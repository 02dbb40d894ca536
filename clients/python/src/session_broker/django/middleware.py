"""Middleware: ends Django sessions the broker revoked, and refuses revoked bearer tokens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

from ..resource_server import WWW_AUTHENTICATE, bearer_token_revoked
from . import runtime

_LOG = logging.getLogger("session_broker.django")


def revocation_of(request: HttpRequest) -> dict[str, Any] | None:
    """Why the signed-in session of ``request`` is revoked (``{"reason", "at", "eventId"}``), or
    ``None`` while it is live. An in-memory check (SPEC §3.4)."""
    state = runtime.session_state(request.session)
    if state is None:
        return None
    sid, sub = state.get("sid"), state.get("sub")
    session_key = request.session.session_key
    client = runtime.client()
    revoked = (
        bool(state.get("revoked"))
        or client.is_revoked(sid=sid, sub=sub, created_at=runtime.created_at(state))
        or (session_key is not None and client.is_session_revoked(session_key))
    )
    if not revoked:
        return None
    event = runtime.recent_events.find(sid, sub, session_key)
    if event is None:
        return {"reason": "session_revoked", "at": None, "eventId": None}
    return {"reason": event.reason.value, "at": event.at.isoformat(), "eventId": event.id}


class SessionBrokerMiddleware:
    """Logs the user out on the first request after the broker revoked their session (its
    ``sid``, its user, or the whole client); put it after ``AuthenticationMiddleware``.

    The request then goes on as anonymous with ``request.session_broker_revocation`` set (or is
    redirected to ``SIGNED_OUT_URL``); the new session remembers why under
    ``runtime.SIGNED_OUT_KEY`` for the signed-out page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        runtime.settings()  # Fail at start-up on bad settings, not at the first sign-in.

    def __call__(self, request: HttpRequest) -> HttpResponse:
        revocation = revocation_of(request)
        if revocation is not None:
            request.session_broker_revocation = revocation  # type: ignore[attr-defined]
            logout(request)
            request.session[runtime.SIGNED_OUT_KEY] = revocation
            _LOG.info("Ended a Django session revoked by the broker (%s)", revocation["reason"])
            target = runtime.settings().signed_out_url
            if target:
                return HttpResponseRedirect(target)
        return self.get_response(request)


class BearerTokenRevocationMiddleware:
    """For APIs that receive access tokens: a request whose bearer token's ``sid``/``sub``/
    client was revoked after the token's ``iat`` gets ``401`` with ``WWW-Authenticate: Bearer
    error="invalid_token"`` (from memory, no broker call), as does an ID or refresh token.
    Requests without a bearer token pass: the middleware runs site-wide and cookie-session pages
    carry none (the API views' own authentication refuses them).
    It does not verify tokens: keep your own verification (it only ever refuses more)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization")
        if bearer_token_revoked(runtime.client(), header):
            response = JsonResponse({"error": "invalid_token"}, status=401)
            response["WWW-Authenticate"] = WWW_AUTHENTICATE
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
