"""A school's bus riders' routes."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.riders.api.views import (
    AlarmViewSet,
    DrillViewSet,
    EscortViewSet,
    IncidentViewSet,
    PassageViewSet,
    RiderViewSet,
    TerminalPassageView,
    TerminalReportView,
    TerminalViewSet,
    TrainingViewSet,
    TripViewSet,
)

router = SimpleRouter()
router.register("riders/trips", TripViewSet, basename="riders-trip")
router.register("riders/escorts", EscortViewSet, basename="riders-escort")
router.register("riders/passages", PassageViewSet, basename="riders-passage")
router.register("riders/alarms", AlarmViewSet, basename="riders-alarm")
router.register("riders/terminals", TerminalViewSet, basename="riders-terminal")
router.register("riders/incidents", IncidentViewSet, basename="riders-incident")
router.register("riders/drills", DrillViewSet, basename="riders-drill")
router.register("riders/trainings", TrainingViewSet, basename="riders-training")
router.register("riders", RiderViewSet, basename="riders-rider")

urlpatterns = [
    path(
        "riders/terminal/passages/",
        TerminalPassageView.as_view(),
        name="riders-terminal-passages",
    ),
    path(
        "riders/terminal/passages/report/",
        TerminalReportView.as_view(),
        name="riders-terminal-report",
    ),
    *router.urls,
]
