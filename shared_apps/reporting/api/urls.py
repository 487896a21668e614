"""The district centre's statement routes: the district's and any school's."""

from rest_framework.routers import SimpleRouter

from shared_apps.reporting.api.views import DistrictStatementViewSet, SchoolStatementViewSet

router = SimpleRouter()
router.register("statements/schools", SchoolStatementViewSet, basename="statement-school")
router.register("statements", DistrictStatementViewSet, basename="statement")

urlpatterns = router.urls
