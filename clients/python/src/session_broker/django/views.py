"""Views: RP-initiated logout at Keycloak, and the revocation event stream for open tabs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from django.contrib.auth import logout as django_logout
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)

from ..logout import logout_url
from . import runtime
from .middleware import revocation_of


def keycloak_logout_url(request: HttpRequest) -> str:
    """Keycloak's end-session URL for this session: ``id_token_hint`` (or ``client_id``) and an
    absolute ``post_logout_redirect_uri``; never the removed ``redirect_uri``.

    Usable as mozilla-django-oidc's ``OIDC_OP_LOGOUT_URL_METHOD`` (it calls it before the local
    logout).
    """
    s = runtime.settings()
    redirect = request.build_absolute_uri(s.post_logout_redirect_url)
    if not s.end_session_endpoint:
        return redirect
    state = runtime.session_state(request.session) or {}
    id_token = state.get("id_token") or request.session.get("oidc_id_token")
    return logout_url(
        s.end_session_endpoint,
        id_token_hint=id_token,
        client_id=None if id_token else s.client_id,
        post_logout_redirect_uri=redirect,
    )


def logout(request: HttpRequest) -> HttpResponse:
    """POST: ends the local session (and its registration) and sends the browser to Keycloak's
    end-session endpoint, which ends the SSO session and sends back-channel logouts to the other
    apps. GET is refused (``405``): a link or an image must not sign users out."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target = keycloak_logout_url(request)
    django_logout(request)
    return HttpResponseRedirect(target)


def revocation_events(request: HttpRequest) -> HttpResponse:
    """Server-sent events for the open tabs of a session: one ``revoked`` event the moment the
    broker revokes it, with ``{"reason", "at", "eventId", "delayMs"}``; comment lines keep the
    connection open. A request without a signed-in session gets ``204`` (the browser's
    ``EventSource`` then stops reconnecting), unless the session was just revoked, which is
    reported at once."""
    s = runtime.settings()
    just_revoked = getattr(request, "session_broker_revocation", None)
    if just_revoked is None and runtime.session_state(request.session) is None:
        return HttpResponse(status=204)

    def stream() -> Iterator[str]:
        yield "retry: 3000\n\n"
        deadline = time.monotonic() + s.sse_max_seconds
        revocation = just_revoked
        while revocation is None and time.monotonic() < deadline:
            with runtime.recent_events.changed:
                runtime.recent_events.changed.wait(s.sse_keepalive_seconds)
            revocation = revocation_of(request)
            if revocation is None:
                yield ": keep-alive\n\n"
        if revocation is not None:
            yield "event: revoked\ndata: " + json.dumps(_with_delay(revocation)) + "\n\n"

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def _with_delay(revocation: dict[str, Any]) -> dict[str, Any]:
    at = revocation.get("at")
    delay = None
    if at:
        recorded = datetime.fromisoformat(at)
        delay = max(0, round((datetime.now(timezone.utc) - recorded).total_seconds() * 1000))
    return revocation | {"delayMs": delay}
