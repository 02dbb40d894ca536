"""The process-wide client and registration helper, created on first use from the settings.

The subscriber starts when the first request reaches the middleware (not at import or in
``AppConfig.ready``), so management commands never connect to Redis.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from .. import FileLastSeenIdStore, RevocationEvent, SessionBrokerClient
from .._numeric_date import numeric_date
from ..registration import SessionRegistrationClient
from ..tokens import ClientCredentialsToken
from . import conf

_LOG = logging.getLogger("session_broker.django")
_lock = threading.Lock()
_client: SessionBrokerClient | None = None
_registrations: SessionRegistrationClient | None = None
_settings: conf.SessionBrokerSettings | None = None

#: The Django session key holding ``{"sid", "sub", "created_at", "id_token"}`` of a sign-in.
SESSION_KEY = "_session_broker"
#: Set in the (new, anonymous) session after a revocation logged the user out: why and when.
SIGNED_OUT_KEY = "_session_broker_signed_out"


class RecentEvents:
    """The latest events by sid, sub and session id (bounded), so a page can say *why* a
    session ended; and a condition that wakes the open event streams."""

    def __init__(self, limit: int = 10_000) -> None:
        self._events: OrderedDict[str, RevocationEvent] = OrderedDict()
        self._limit = limit
        self.changed = threading.Condition()

    def __call__(self, event: RevocationEvent) -> None:
        keys = [
            f"sid:{event.sid}" if event.sid else None,
            f"sub:{event.sub}" if event.sub else None,
        ]
        keys += [f"session:{s}" for s in event.session_ids]
        if event.type.value == "client.revoked":
            keys.append("client")
        with self.changed:
            for key in filter(None, keys):
                self._events.pop(key, None)
                self._events[key] = event
            while len(self._events) > self._limit:
                self._events.popitem(last=False)
            self.changed.notify_all()

    def find(self, sid: str | None, sub: str | None, session_key: str | None) -> Any:
        with self.changed:
            for key in (f"sid:{sid}", f"session:{session_key}", f"sub:{sub}", "client"):
                if key in self._events:
                    return self._events[key]
        return None


recent_events = RecentEvents()


def settings() -> conf.SessionBrokerSettings:
    """The resolved ``SESSION_BROKER`` settings (read once)."""
    global _settings
    if _settings is None:
        _settings = conf.load()
    return _settings


def client() -> SessionBrokerClient:
    """The started subscriber for this process.

    Raises:
        session_broker.StartupError: Redis unreachable within the start timeout (the request
            fails; the next one tries again).
    """
    global _client
    with _lock:
        if _client is None:
            s = settings()
            store = FileLastSeenIdStore(s.last_seen_id_file) if s.last_seen_id_file else None
            candidate = SessionBrokerClient(
                s.redis_url,
                s.issuer_alias,
                s.client_id,
                last_seen_store=store,
                key_prefix=s.key_prefix,
                cluster=s.cluster,
                **s.client_options,
            )
            candidate.add_listener(recent_events)
            candidate.start()
            _client = candidate
        return _client


def registrations() -> SessionRegistrationClient | None:
    """The registration helper, or ``None`` when ``BROKER_URL`` is not set."""
    global _registrations
    s = settings()
    if not s.broker_url:
        return None
    with _lock:
        if _registrations is None:
            if not s.token_endpoint or not s.client_secret:
                raise RuntimeError(
                    "SESSION_BROKER: BROKER_URL needs TOKEN_ENDPOINT and CLIENT_SECRET"
                    " (or OIDC_OP_TOKEN_ENDPOINT and OIDC_RP_CLIENT_SECRET)"
                )
            token = ClientCredentialsToken(s.token_endpoint, s.client_id, s.client_secret)
            _registrations = SessionRegistrationClient(s.broker_url, token)
        return _registrations


def session_state(session: Any) -> dict[str, Any] | None:
    """The sign-in facts kept in a Django session, or ``None``."""
    state = session.get(SESSION_KEY)
    return state if isinstance(state, dict) else None


def created_at(state: dict[str, Any]) -> datetime | None:
    """When the signed-in session began, or ``None`` when the stored value is no instant."""
    return numeric_date(state.get("created_at"))


def reset_for_tests() -> None:
    """Closes and forgets the process-wide client (tests that change the settings)."""
    global _client, _registrations, _settings
    with _lock:
        if _client is not None:
            _client.close()
        _client = _registrations = _settings = None
