"""The mozilla-django-oidc authentication backend that keeps the ID token's ``sid``."""

from __future__ import annotations

import time
from typing import Any

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .._numeric_date import numeric_date
from .runtime import SESSION_KEY


class SessionBrokerOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """``AUTHENTICATION_BACKENDS`` entry: mozilla-django-oidc's backend, plus it keeps the
    verified ID token's ``sid``, ``sub`` and ``iat`` (and the ID token itself, for the logout's
    ``id_token_hint`` and the registration) in the Django session.

    Registration with the broker happens on Django's ``user_logged_in`` signal, after
    ``login()`` has rotated the session key. Subclass this instead of mozilla's backend in apps
    that customise user creation.
    """

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and self.request is not None:
            issued_at = payload.get("iat")
            self.request.session[SESSION_KEY] = {
                "sid": payload.get("sid"),
                "sub": payload.get("sub"),
                "created_at": issued_at if numeric_date(issued_at) is not None else time.time(),
                "id_token": id_token,
            }
        return user
