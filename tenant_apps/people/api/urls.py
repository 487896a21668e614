from rest_framework.routers import SimpleRouter

from tenant_apps.people.api.views import (
    ClassTeacherViewSet,
    StaffMemberViewSet,
    StudentViewSet,
    SubsidyEligibilityViewSet,
)

router = SimpleRouter()
router.register("students", StudentViewSet, basename="student")
router.register("eligibility", SubsidyEligibilityViewSet, basename="subsidy-eligibility")
router.register("staff", StaffMemberViewSet, basename="staff-member")
router.register("class-teachers", ClassTeacherViewSet, basename="class-teacher")

urlpatterns = router.urls
