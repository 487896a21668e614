"""The district centre's subsidy routes: programmes, every school's budgets and claims."""

from rest_framework.routers import SimpleRouter

from shared_apps.subsidies.api.views import (
    BudgetViewSet,
    ClaimViewSet,
    CorrectionViewSet,
    ProgrammeViewSet,
    SupplementViewSet,
)

router = SimpleRouter()
router.register("subsidies/programmes", ProgrammeViewSet, basename="subsidy-programme")
router.register("subsidies/budgets", BudgetViewSet, basename="subsidy-budget")
router.register("subsidies/claims", ClaimViewSet, basename="subsidy-claim")
router.register("subsidies/supplements", SupplementViewSet, basename="subsidy-supplement")
router.register("subsidies/corrections", CorrectionViewSet, basename="subsidy-correction")

urlpatterns = router.urls
