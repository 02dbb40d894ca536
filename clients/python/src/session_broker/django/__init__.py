"""Django integration (SPEC §3.5): single sign-out for Django apps on mozilla-django-oidc.

Add ``"session_broker.django"`` to ``INSTALLED_APPS``, ``SessionBrokerMiddleware`` after
Django's ``AuthenticationMiddleware``, ``SessionBrokerOIDCBackend`` as the authentication
backend, and a ``SESSION_BROKER = {...}`` dict to the settings (see :mod:`.conf` for the keys and
their defaults). Django is imported only by this subpackage; the core library never needs it.
"""
