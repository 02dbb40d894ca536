"""``path("session-broker/", include("session_broker.django.urls"))``."""

from django.urls import path

from . import views

app_name = "session_broker"

urlpatterns = [
    path("logout/", views.logout, name="logout"),
    path("events/", views.revocation_events, name="events"),
]
