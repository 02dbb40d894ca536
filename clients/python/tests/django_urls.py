from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def home(request: HttpRequest) -> HttpResponse:
    who = request.user.email if request.user.is_authenticated else "anonymous"
    return HttpResponse(f"user={who}")


urlpatterns = [
    path("", home),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("session-broker/", include("session_broker.django.urls")),
]
