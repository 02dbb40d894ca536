"""Every exception the library raises, under one root (:class:`SessionBrokerError`)."""

from __future__ import annotations

__all__ = [
    "BrokerRedirectError",
    "BrokerResponseError",
    "RegistryFullError",
    "SessionBrokerError",
    "SessionRevokedError",
    "StartupError",
    "TooManySessionsForSidError",
]


class SessionBrokerError(Exception):
    """Root of the library's exceptions."""


class StartupError(SessionBrokerError):
    """The client could not connect, subscribe and catch up within its start timeout."""


class BrokerResponseError(SessionBrokerError):
    """The broker's REST API answered with an error.

    Attributes:
        status: the HTTP status code (``0`` when no answer arrived).
        problem_type: the RFC 9457 ``type`` or ``error`` member of the answer, when present.
        detail: the answer's ``detail``/``title``/``error_description``; never a token.
    """

    def __init__(self, message: str, *, status: int, problem_type: str | None, detail: str | None):
        super().__init__(message)
        self.status = status
        self.problem_type = problem_type
        self.detail = detail


class BrokerRedirectError(BrokerResponseError):
    """The broker's URL answered a redirect (``3xx``). The registration client follows none: a
    redirected ``POST`` would come back as a ``GET`` without its body (a registration never stored
    read as a record), and the bearer token would go to the new location. Nothing was registered
    or deleted; set ``broker_url`` to the URL the broker is really served at.

    Attributes:
        location: the answer's ``Location`` without any userinfo, or ``None`` when it had none.
    """

    def __init__(self, message: str, *, status: int, location: str | None):
        super().__init__(message, status=status, problem_type=None, detail=None)
        self.location = location


class SessionRevokedError(BrokerResponseError):
    """Registration refused with ``409 session_revoked``: the SSO session was already logged out.

    Drop the local session (SPEC §3.2: a registration racing a logout never stays live).
    """


class TooManySessionsForSidError(BrokerResponseError):
    """Registration refused with ``409 too_many_sessions_for_sid``: the SSO session (``sid``)
    already holds the most registrations one sid may have (the broker's
    ``session-broker.registration.max-per-sid``, 100 by default). Nothing was stored.

    A registration of a session the sid already holds is still accepted, so the usual cause is an
    app that registers a new session key per request instead of once per sign-in.
    """


class RegistryFullError(BrokerResponseError):
    """Registration refused with ``503 registry_full`` (after the client's retries): Redis's
    remaining memory is kept for revocations (SPEC §5). Nothing was stored; register again later.

    Attributes:
        retry_after: the answer's ``Retry-After`` in whole seconds (delta-seconds, or an HTTP-date
            counted from when the answer was read, not negative); ``None`` when absent or
            unreadable.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        problem_type: str | None,
        detail: str | None,
        retry_after: int | None,
    ):
        super().__init__(message, status=status, problem_type=problem_type, detail=detail)
        self.retry_after = retry_after
