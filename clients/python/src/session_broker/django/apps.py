"""The Django app: connects the sign-in and logout signals."""

from __future__ import annotations

from django.apps import AppConfig


class SessionBrokerConfig(AppConfig):
    """``INSTALLED_APPS`` entry ``"session_broker.django"``."""

    name = "session_broker.django"
    label = "session_broker"
    verbose_name = "Session Broker"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import signals

        user_logged_in.connect(signals.register_session, dispatch_uid="session_broker_login")
        user_logged_out.connect(signals.unregister_session, dispatch_uid="session_broker_logout")
