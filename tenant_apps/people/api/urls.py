from rest_framework.routers import SimpleRouter

from tenant_apps.people.api.views import (
    StaffMemberViewSet,
    StudentViewSet,
    SubsidyEligibilityViewSet,
)

router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("eligibility", SubsidyEligibilityViewSet, basename="subsidy-eligibility")
router.register("staff", StaffMemberViewSet, basename="staff-member")

urlpatterns = router.urls
