"""Settings of the Django demo app (client ``app3`` of the demo realm).

Everything deployment-specific comes from the environment; the local stack sets it:
``OIDC_ISSUER_URL``, ``OIDC_CLIENT_ID``, ``OIDC_CLIENT_SECRET``, ``SESSION_BROKER_URL``,
``SESSION_BROKER_REDIS_URI``, ``SESSION_BROKER_ISSUER_ALIAS``, ``APP_DATA_DIR``.
"""

import os
import secrets
from pathlib import Path

ISSUER = os.environ.get("OIDC_ISSUER_URL", "http://127.0.0.1:8180/realms/demo").rstrip("/")
DATA_DIR = Path(os.environ.get("APP_DATA_DIR", Path(__file__).resolve().parents[1] / "target"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

# A fresh key per start: old cookies of an earlier run are simply invalid.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(48)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "mozilla_django_oidc",
    "session_broker.django",
    "demo_site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "session_broker.django.middleware.SessionBrokerMiddleware",
]

AUTHENTICATION_BACKENDS = ["demo_site.auth.DemoBackend"]
ROOT_URLCONF = "demo_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "app3.sqlite3")}
}
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"

# The apps of the demo share 127.0.0.1 (cookies ignore ports): names of their own.
SESSION_COOKIE_NAME = "app3_sessionid"
CSRF_COOKIE_NAME = "app3_csrftoken"

# mozilla-django-oidc against Keycloak.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "app3")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_OP_AUTHORIZATION_ENDPOINT = ISSUER + "/protocol/openid-connect/auth"
OIDC_OP_TOKEN_ENDPOINT = ISSUER + "/protocol/openid-connect/token"
OIDC_OP_USER_ENDPOINT = ISSUER + "/protocol/openid-connect/userinfo"
OIDC_OP_JWKS_ENDPOINT = ISSUER + "/protocol/openid-connect/certs"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SESSION_BROKER = {
    "REDIS_URL": os.environ.get("SESSION_BROKER_REDIS_URI", "redis://127.0.0.1:6380"),
    "ISSUER_ALIAS": os.environ.get("SESSION_BROKER_ISSUER_ALIAS", "demo"),
    "BROKER_URL": os.environ.get("SESSION_BROKER_URL", "http://127.0.0.1:8080"),
    "POST_LOGOUT_REDIRECT_URL": "/",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "session_broker": {"handlers": ["console"], "level": "INFO"},
        "mozilla_django_oidc": {"handlers": ["console"], "level": "INFO"},
    },
}
