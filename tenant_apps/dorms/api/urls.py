"""A school's boarding routes."""

from rest_framework.routers import SimpleRouter

from tenant_apps.dorms.api.views import (
    AllocationViewSet,
    BedViewSet,
    BuildingViewSet,
    DoorEventViewSet,
    FeeViewSet,
    FloorViewSet,
    GuardianViewSet,
    InspectionViewSet,
    LeaveViewSet,
    PolicyViewSet,
    RollCallViewSet,
    RoomChangeViewSet,
    RoomViewSet,
    VisitorViewSet,
)

router = SimpleRouter()
router.register("dorms/buildings", BuildingViewSet, basename="dorms-building")
router.register("dorms/floors", FloorViewSet, basename="dorms-floor")
router.register("dorms/rooms", RoomViewSet, basename="dorms-room")
router.register("dorms/beds", BedViewSet, basename="dorms-bed")
router.register("dorms/allocations", AllocationViewSet, basename="dorms-allocation")
router.register("dorms/policy", PolicyViewSet, basename="dorms-policy")
router.register("dorms/guardians", GuardianViewSet, basename="dorms-guardian")
router.register("dorms/door-events", DoorEventViewSet, basename="dorms-door-event")
router.register("dorms/roll-calls", RollCallViewSet, basename="dorms-roll-call")
router.register("dorms/leaves", LeaveViewSet, basename="dorms-leave")
router.register("dorms/visitors", VisitorViewSet, basename="dorms-visitor")
router.register("dorms/fees", FeeViewSet, basename="dorms-fee")
router.register("dorms/inspections", InspectionViewSet, basename="dorms-inspection")
router.register("dorms/room-changes", RoomChangeViewSet, basename="dorms-room-change")

urlpatterns = router.urls
