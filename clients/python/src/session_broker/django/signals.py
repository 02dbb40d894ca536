"""Sign-in registers the session with the broker; logout unregisters it."""

from __future__ import annotations

import logging
from typing import Any

from ..exceptions import SessionBrokerError, SessionRevokedError
from . import runtime

_LOG = logging.getLogger("session_broker.django")


def register_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: registers the (rotated) session key with the broker.

    A ``409 session_revoked`` answer (the SSO session was logged out while the user signed in)
    marks the session revoked, so the middleware logs it out on the next request. Other broker
    failures are logged: the local session still ends by its ``sid`` when the logout comes.
    """
    state = runtime.session_state(request.session)
    if state is None or not state.get("sid"):
        return
    api = runtime.registrations()
    if api is None:
        return
    if request.session.session_key is None:
        request.session.save()
    try:
        api.register(request.session.session_key, state["id_token"])
    except SessionRevokedError:
        _LOG.info("Sign-in of an SSO session that was already logged out; ending it")
        state["revoked"] = True
        request.session[runtime.SESSION_KEY] = state
    except SessionBrokerError as e:
        _LOG.warning("Could not register the session with the broker: %s", e)


def unregister_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_out``: deletes the registration (best effort, logged)."""
    if request is None or getattr(request, "session_broker_revocation", None) is not None:
        return  # Ended by the broker: its registration is already revoked.
    state = runtime.session_state(request.session)
    session_key = request.session.session_key
    if state is None or not session_key:
        return
    try:
        api = runtime.registrations()
        if api is not None:
            api.unregister(session_key)
    except SessionBrokerError as e:
        _LOG.warning("Could not unregister the session from the broker: %s", e)
