from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from session_broker.django.runtime import SIGNED_OUT_KEY, session_state


def home(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    context = {
        "signed_out": None if signed_in else request.session.get(SIGNED_OUT_KEY),
        "sid": (session_state(request.session) or {}).get("sid") if signed_in else None,
    }
    return render(request, "home.html", context)


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("health", health),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("session-broker/", include("session_broker.django.urls")),
]
