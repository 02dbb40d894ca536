"""Service-account access tokens (OAuth 2.0 client-credentials grant) for the broker's REST API."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from .exceptions import SessionBrokerError

__all__ = ["ClientCredentialsToken"]


class ClientCredentialsToken:
    """A bearer-token supplier for :class:`SessionRegistrationClient`: fetches the app's own
    service-account token from the token endpoint and reuses it until shortly before it expires.

    Args:
        token_endpoint: e.g. ``https://sso.example.com/realms/acme/protocol/openid-connect/token``.
        client_id: the app's confidential client id (its service account must be enabled).
        client_secret: its secret; never logged nor put in an exception message.
        timeout: HTTP timeout, seconds.
        refresh_margin: a token is renewed this many seconds before its ``expires_in`` ends.

    Calling the instance returns the token.

    Raises (on call):
        SessionBrokerError: the token endpoint is unreachable or refused.
    """

    def __init__(
        self,
        token_endpoint: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 5.0,
        refresh_margin: float = 30.0,
    ) -> None:
        if not token_endpoint or not client_id or not client_secret:
            raise ValueError("token_endpoint, client_id and client_secret are required")
        self._endpoint = token_endpoint
        self._form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            }
        ).encode()
        self._timeout = timeout
        self._margin = refresh_margin
        self._token: str | None = None
        self._valid_until = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._valid_until:
                self._token, lifetime = self._fetch()
                self._valid_until = time.monotonic() + max(lifetime - self._margin, 0.0)
            return self._token

    def _fetch(self) -> tuple[str, float]:
        request = urllib.request.Request(
            self._endpoint,
            data=self._form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as e:
            raise SessionBrokerError(
                f"token endpoint {self._endpoint} refused the client credentials: HTTP {e.code}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise SessionBrokerError(f"token endpoint {self._endpoint} failed: {e}") from None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise SessionBrokerError(f"token endpoint {self._endpoint} sent no access_token")
        lifetime = answer.get("expires_in", 60)
        return token, float(lifetime) if isinstance(lifetime, (int, float)) else 60.0
