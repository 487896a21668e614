"""A school's repair desk routes."""

from rest_framework.routers import SimpleRouter

from tenant_apps.repairs.api.views import (
    MaintenancePlanViewSet,
    PolicyViewSet,
    RepairPhotoViewSet,
    RepairRequestViewSet,
    RuleViewSet,
    ScorecardViewSet,
    TeamViewSet,
)

router = SimpleRouter()
router.register("repairs/requests", RepairRequestViewSet, basename="repairs-request")
router.register("repairs/photos", RepairPhotoViewSet, basename="repairs-photo")
router.register("repairs/policy", PolicyViewSet, basename="repairs-policy")
router.register("repairs/teams", TeamViewSet, basename="repairs-team")
router.register("repairs/rules", RuleViewSet, basename="repairs-rule")
router.register("repairs/scorecards", ScorecardViewSet, basename="repairs-scorecard")
router.register("repairs/maintenance-plans", MaintenancePlanViewSet, basename="repairs-plan")

urlpatterns = router.urls
