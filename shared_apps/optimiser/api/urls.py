from rest_framework.routers import SimpleRouter

from shared_apps.optimiser.api.views import DistrictProposalViewSet, RecipeCostViewSet

router = SimpleRouter()
router.register("meal-plan-proposals", DistrictProposalViewSet, basename="meal-plan-proposal")
router.register("recipe-costs", RecipeCostViewSet, basename="recipe-cost")

urlpatterns = router.urls
