"""OpenID Connect RP-initiated logout URLs for Keycloak (SPEC §3.4 helpers)."""

from __future__ import annotations

import urllib.parse

__all__ = ["KEYCLOAK_END_SESSION_PATH", "keycloak_end_session_endpoint", "logout_url"]

#: Keycloak's end-session path below an issuer (realm) URL.
KEYCLOAK_END_SESSION_PATH = "/protocol/openid-connect/logout"


def keycloak_end_session_endpoint(issuer_url: str) -> str:
    """Keycloak's ``end_session_endpoint`` of an issuer (realm) URL, without discovery:
    ``<issuer>/protocol/openid-connect/logout``."""
    if not issuer_url:
        raise ValueError("issuer_url must not be blank")
    return issuer_url.rstrip("/") + KEYCLOAK_END_SESSION_PATH


def logout_url(
    end_session_endpoint: str,
    *,
    post_logout_redirect_uri: str | None = None,
    id_token_hint: str | None = None,
    client_id: str | None = None,
    state: str | None = None,
    ui_locales: str | None = None,
) -> str:
    """An RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0).

    Keycloak 18 and later reject the old ``redirect_uri`` parameter and require ``id_token_hint``
    or ``client_id`` with ``post_logout_redirect_uri``; this never emits the former and enforces
    the latter. With ``id_token_hint`` Keycloak skips its confirmation page. Never log the result:
    it carries the ID token.

    Args:
        end_session_endpoint: absolute URL, e.g. from :func:`keycloak_end_session_endpoint`.
        post_logout_redirect_uri: where Keycloak sends the browser afterwards; must be a valid
            post logout redirect URI of the client.
        id_token_hint: the ID token from sign-in.
        client_id: the app's client id (when no ID token is at hand).
        state: passed back to the redirect URI.
        ui_locales: languages of Keycloak's pages, e.g. ``"de en"``.

    Raises:
        ValueError: the endpoint is not absolute or has a fragment; a redirect URI without an ID
            token hint or client id; a state without a redirect URI.
    """
    parts = urllib.parse.urlsplit(end_session_endpoint)
    if not parts.scheme or not parts.netloc or parts.fragment:
        raise ValueError("end_session_endpoint must be an absolute URL without fragment")
    if post_logout_redirect_uri and not (id_token_hint or client_id):
        raise ValueError("post_logout_redirect_uri needs id_token_hint or client_id (Keycloak 18+)")
    if state and not post_logout_redirect_uri:
        raise ValueError("state is only returned with a post_logout_redirect_uri")
    parameters = [
        (name, value)
        for name, value in (
            ("id_token_hint", id_token_hint),
            ("client_id", client_id),
            ("post_logout_redirect_uri", post_logout_redirect_uri),
            ("state", state),
            ("ui_locales", ui_locales),
        )
        if value
    ]
    if not parameters:
        return end_session_endpoint
    separator = "&" if parts.query else "?"
    return end_session_endpoint + separator + urllib.parse.urlencode(parameters)
