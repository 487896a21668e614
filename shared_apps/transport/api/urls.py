from django.urls import path
from rest_framework.routers import SimpleRouter

from shared_apps.transport.api import views as v
from shared_apps.transport.api.reports import TransportReportViewSet

router = SimpleRouter()
router.register("transport/providers", v.ProviderViewSet, basename="transport-provider")
router.register("transport/vehicles", v.VehicleViewSet, basename="transport-vehicle")
router.register("transport/drivers", v.DriverViewSet, basename="transport-driver")
router.register("transport/routes", v.RouteViewSet, basename="transport-route")
router.register("transport/licences", v.LicenceViewSet, basename="transport-licence")
router.register("transport/runs", v.RunViewSet, basename="transport-run")
router.register("transport/alarms", v.AlarmViewSet, basename="transport-alarm")
router.register("transport/field-trips", v.FieldTripViewSet, basename="transport-field-trip")

urlpatterns = [
    path("transport/telemetry/", v.TelemetryView.as_view(), name="transport-telemetry"),
    path(
        "transport/reports/",
        TransportReportViewSet.as_view({"get": "report"}),
        name="transport-report",
    ),
    *router.urls,
]
