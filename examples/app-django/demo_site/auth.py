"""Users named after Keycloak's ``preferred_username`` (mozilla-django-oidc's default is a hash)."""

from typing import Any

from session_broker.django.auth import SessionBrokerOIDCBackend


class DemoBackend(SessionBrokerOIDCBackend):
    def create_user(self, claims: dict[str, Any]) -> Any:
        username = claims.get("preferred_username") or claims.get("email")
        return self.UserModel.objects.create_user(username, email=claims.get("email"))
