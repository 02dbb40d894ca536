"""The ``SESSION_BROKER`` settings, read in one place.

Keys (defaults in brackets):

``REDIS_URL`` (required)
    Redis of the broker; see :class:`session_broker.SessionBrokerClient` for the URL forms.
``ISSUER_ALIAS`` (required)
    The broker's issuer alias (``session-broker.issuers.<alias>``).
``CLIENT_ID`` [``OIDC_RP_CLIENT_ID``]
    This app's Keycloak client id.
``KEY_PREFIX`` [``"sb"``], ``CLUSTER`` [``False``], ``LAST_SEEN_ID_FILE`` [``None``: in memory]
    Passed to the client.
``CLIENT_OPTIONS`` [``{}``]
    Further keyword arguments of :class:`session_broker.SessionBrokerClient`, e.g.
    ``stream_retention`` (at least the broker's ``session-broker.events.retention``).
``BROKER_URL`` [``None``]
    The broker's base URL; when set, sessions are registered at sign-in and unregistered at
    logout (with the app's service-account token from ``TOKEN_ENDPOINT``).
``TOKEN_ENDPOINT`` [``OIDC_OP_TOKEN_ENDPOINT``], ``CLIENT_SECRET`` [``OIDC_RP_CLIENT_SECRET``]
    Client-credentials grant for the registration calls.
``END_SESSION_ENDPOINT`` [``OIDC_OP_LOGOUT_ENDPOINT``, else ``TOKEN_ENDPOINT`` with its last
    segment ``token`` replaced by ``logout``, Keycloak's layout]
    Keycloak's ``end_session_endpoint`` for RP-initiated logout.
``POST_LOGOUT_REDIRECT_URL`` [``LOGOUT_REDIRECT_URL``, else ``"/"``]
    Where Keycloak sends the browser after logout (made absolute; register it at the client).
``SIGNED_OUT_URL`` [``None``]
    Where a request whose session was just revoked is redirected; ``None`` lets it continue as
    anonymous (``request.session_broker_revocation`` tells the view why).
``SSE_KEEPALIVE_SECONDS`` [``15``], ``SSE_MAX_SECONDS`` [``300``]
    Comment lines keep the revocation event stream open; after the maximum the browser
    reconnects by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SessionBrokerSettings:
    """The resolved settings; see the module docstring for each key."""

    redis_url: str
    issuer_alias: str
    client_id: str
    key_prefix: str = "sb"
    cluster: bool = False
    last_seen_id_file: str | None = None
    client_options: dict[str, Any] = field(default_factory=dict)
    broker_url: str | None = None
    token_endpoint: str | None = None
    client_secret: str | None = None
    end_session_endpoint: str | None = None
    post_logout_redirect_url: str = "/"
    signed_out_url: str | None = None
    sse_keepalive_seconds: float = 15.0
    sse_max_seconds: float = 300.0


_KNOWN = {
    "REDIS_URL",
    "ISSUER_ALIAS",
    "CLIENT_ID",
    "KEY_PREFIX",
    "CLUSTER",
    "LAST_SEEN_ID_FILE",
    "CLIENT_OPTIONS",
    "BROKER_URL",
    "TOKEN_ENDPOINT",
    "CLIENT_SECRET",
    "END_SESSION_ENDPOINT",
    "POST_LOGOUT_REDIRECT_URL",
    "SIGNED_OUT_URL",
    "SSE_KEEPALIVE_SECONDS",
    "SSE_MAX_SECONDS",
}


def load() -> SessionBrokerSettings:
    """Reads and checks ``settings.SESSION_BROKER``.

    Raises:
        ImproperlyConfigured: missing required key, unknown key, or wrong type.
    """
    raw = getattr(settings, "SESSION_BROKER", None)
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("SESSION_BROKER must be a dict (see session_broker.django.conf)")
    unknown = set(raw) - _KNOWN
    if unknown:
        raise ImproperlyConfigured(f"SESSION_BROKER: unknown key(s) {sorted(unknown)}")
    client_id = raw.get("CLIENT_ID") or getattr(settings, "OIDC_RP_CLIENT_ID", None)
    for name, value in (
        ("REDIS_URL", raw.get("REDIS_URL")),
        ("ISSUER_ALIAS", raw.get("ISSUER_ALIAS")),
        ("CLIENT_ID (or OIDC_RP_CLIENT_ID)", client_id),
    ):
        if not isinstance(value, str) or not value:
            raise ImproperlyConfigured(f"SESSION_BROKER: {name} is required")
    token_endpoint = raw.get("TOKEN_ENDPOINT") or getattr(settings, "OIDC_OP_TOKEN_ENDPOINT", None)
    end_session = raw.get("END_SESSION_ENDPOINT") or getattr(
        settings, "OIDC_OP_LOGOUT_ENDPOINT", None
    )
    if not end_session and token_endpoint and token_endpoint.rstrip("/").endswith("/token"):
        end_session = token_endpoint.rstrip("/")[: -len("token")] + "logout"
    options = raw.get("CLIENT_OPTIONS", {})
    if not isinstance(options, dict):
        raise ImproperlyConfigured("SESSION_BROKER: CLIENT_OPTIONS must be a dict")
    return SessionBrokerSettings(
        redis_url=raw["REDIS_URL"],
        issuer_alias=raw["ISSUER_ALIAS"],
        client_id=client_id,
        key_prefix=raw.get("KEY_PREFIX", "sb"),
        cluster=bool(raw.get("CLUSTER", False)),
        last_seen_id_file=raw.get("LAST_SEEN_ID_FILE"),
        client_options=options,
        broker_url=raw.get("BROKER_URL"),
        token_endpoint=token_endpoint,
        client_secret=raw.get("CLIENT_SECRET") or getattr(settings, "OIDC_RP_CLIENT_SECRET", None),
        end_session_endpoint=end_session,
        post_logout_redirect_url=raw.get("POST_LOGOUT_REDIRECT_URL")
        or getattr(settings, "LOGOUT_REDIRECT_URL", None)
        or "/",
        signed_out_url=raw.get("SIGNED_OUT_URL"),
        sse_keepalive_seconds=float(raw.get("SSE_KEEPALIVE_SECONDS", 15)),
        sse_max_seconds=float(raw.get("SSE_MAX_SECONDS", 300)),
    )
