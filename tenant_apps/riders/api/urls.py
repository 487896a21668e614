"""A school's bus riders' routes."""

from rest_framework.routers import SimpleRouter

from tenant_apps.riders.api.views import RiderViewSet, TripViewSet

router = SimpleRouter()
router.register("riders/trips", TripViewSet, basename="riders-trip")
router.register("riders", RiderViewSet, basename="riders-rider")

urlpatterns = router.urls
