"""A school's boarding routes."""

from rest_framework.routers import SimpleRouter

from tenant_apps.dorms.api.views import (
    AllocationViewSet,
    BedViewSet,
    BuildingViewSet,
    FloorViewSet,
    RoomViewSet,
)

router = SimpleRouter()
router.register("dorms/buildings", BuildingViewSet, basename="dorms-building")
router.register("dorms/floors", FloorViewSet, basename="dorms-floor")
router.register("dorms/rooms", RoomViewSet, basename="dorms-room")
router.register("dorms/beds", BedViewSet, basename="dorms-bed")
router.register("dorms/allocations", AllocationViewSet, basename="dorms-allocation")

urlpatterns = router.urls
