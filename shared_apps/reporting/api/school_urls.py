"""A school's own statement route."""

from rest_framework.routers import SimpleRouter

from shared_apps.reporting.api.views import OwnStatementViewSet

router = SimpleRouter()
router.register("statements", OwnStatementViewSet, basename="own-statement")

urlpatterns = router.urls
