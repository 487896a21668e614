"""A school's bus riders' routes."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.riders.api.views import (
    AlarmViewSet,
    EscortViewSet,
    PassageViewSet,
    RiderViewSet,
    TerminalPassageView,
    TerminalViewSet,
    TripViewSet,
)

router = SimpleRouter()
router.register("riders/trips", TripViewSet, basename="riders-trip")
router.register("riders/escorts", EscortViewSet, basename="riders-escort")
router.register("riders/passages", PassageViewSet, basename="riders-passage")
router.register("riders/alarms", AlarmViewSet, basename="riders-alarm")
router.register("riders/terminals", TerminalViewSet, basename="riders-terminal")
router.register("riders", RiderViewSet, basename="riders-rider")

urlpatterns = [
    path(
        "riders/terminal/passages/",
        TerminalPassageView.as_view(),
        name="riders-terminal-passages",
    ),
    *router.urls,
]
