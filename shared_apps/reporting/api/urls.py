"""The district centre's report routes: statements (the district's and any school's), and the
schools' upkeep figures."""

from rest_framework.routers import SimpleRouter

from shared_apps.reporting.api.upkeep_views import AssetCategoryViewSet, UpkeepViewSet
from shared_apps.reporting.api.views import DistrictStatementViewSet, SchoolStatementViewSet

router = SimpleRouter()
router.register("statements/schools", SchoolStatementViewSet, basename="statement-school")
router.register("statements", DistrictStatementViewSet, basename="statement")
router.register("upkeep/schools", UpkeepViewSet, basename="upkeep-school")
router.register("upkeep/assets", AssetCategoryViewSet, basename="upkeep-asset")

urlpatterns = router.urls
