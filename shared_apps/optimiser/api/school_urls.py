"""A school's own proposals (district tables, this school's rows), priced at its contracts."""

from rest_framework.routers import SimpleRouter

from shared_apps.optimiser.api.views import ProposalViewSet

router = SimpleRouter()
router.register("meal-plan-proposals", ProposalViewSet, basename="school-meal-plan-proposal")

urlpatterns = router.urls
