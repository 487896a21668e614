"""A school's own field trips (district tables, this school's rows)."""

from rest_framework.routers import SimpleRouter

from shared_apps.transport.api import views as v

router = SimpleRouter()
router.register(
    "transport/field-trips", v.SchoolFieldTripViewSet, basename="school-transport-field-trip"
)

urlpatterns = router.urls
