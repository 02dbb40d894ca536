"""Session Broker client library: single sign-out for Python apps behind Keycloak.

A :class:`SessionBrokerClient` subscribes to the broker's revocation channel for one client,
catches up from its Redis stream, and answers :meth:`SessionBrokerClient.is_revoked` from memory.
Django integration: ``session_broker.django`` (imports Django only when used).
"""

from ._redis import PubSubMode
from .client import RecheckPolicy, RevocationListener, SessionBrokerClient
from .events import EventType, Reason, RevocationEvent, parse_event, parse_stream_entry
from .exceptions import (
    BrokerRedirectError,
    BrokerResponseError,
    RegistryFullError,
    SessionBrokerError,
    SessionRevokedError,
    StartupError,
    TooManySessionsForSidError,
)
from .logout import keycloak_end_session_endpoint, logout_url
from .registration import SessionRecord, SessionRegistrationClient
from .resource_server import RevokedTokenMiddleware
from .stores import FileLastSeenIdStore, InMemoryLastSeenIdStore, LastSeenIdStore
from .tokens import ClientCredentialsToken

__all__ = [
    "BrokerRedirectError",
    "BrokerResponseError",
    "ClientCredentialsToken",
    "EventType",
    "FileLastSeenIdStore",
    "InMemoryLastSeenIdStore",
    "LastSeenIdStore",
    "PubSubMode",
    "Reason",
    "RecheckPolicy",
    "RegistryFullError",
    "RevocationEvent",
    "RevocationListener",
    "RevokedTokenMiddleware",
    "SessionBrokerClient",
    "SessionBrokerError",
    "SessionRecord",
    "SessionRegistrationClient",
    "SessionRevokedError",
    "StartupError",
    "TooManySessionsForSidError",
    "keycloak_end_session_endpoint",
    "logout_url",
    "parse_event",
    "parse_stream_entry",
]

__version__ = "0.1.0"
