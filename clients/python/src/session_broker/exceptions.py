"""Every exception the library raises, under one root (:class:`SessionBrokerError`)."""

from __future__ import annotations

__all__ = [
    "BrokerResponseError",
    "SessionBrokerError",
    "SessionRevokedError",
    "StartupError",
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


class SessionRevokedError(BrokerResponseError):
    """Registration refused with ``409 session_revoked``: the SSO session was already logged out.

    Drop the local session (SPEC §3.2: a registration racing a logout never stays live).
    """
