from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from session_broker import keycloak_end_session_endpoint, logout_url

ISSUER = "https://sso.example.com/realms/acme"


def test_logout_url_carries_id_token_hint_and_post_logout_redirect_uri_never_redirect_uri() -> None:
    url = logout_url(
        keycloak_end_session_endpoint(ISSUER + "/"),
        id_token_hint="a.b.c",
        post_logout_redirect_uri="https://app.example.com/signed-out?x=1",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        ISSUER + "/protocol/openid-connect/logout"
    )
    assert parse_qs(parts.query) == {
        "id_token_hint": ["a.b.c"],
        "post_logout_redirect_uri": ["https://app.example.com/signed-out?x=1"],
    }
    assert "redirect_uri=" not in url.replace("post_logout_redirect_uri=", "")


def test_client_id_may_stand_in_for_the_id_token() -> None:
    url = logout_url(ISSUER + "/logout", client_id="app3", post_logout_redirect_uri="https://a/")
    assert parse_qs(urlsplit(url).query)["client_id"] == ["app3"]


def test_redirect_without_hint_or_client_id_is_refused() -> None:
    with pytest.raises(ValueError, match="id_token_hint or client_id"):
        logout_url(ISSUER + "/logout", post_logout_redirect_uri="https://a/")


def test_relative_endpoint_is_refused() -> None:
    with pytest.raises(ValueError):
        logout_url("/logout", client_id="x")
