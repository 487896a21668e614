"""A school's own subsidy routes: its claims and budgets (district tables, this school's rows)."""

from rest_framework.routers import SimpleRouter

from shared_apps.subsidies.api.views import (
    CorrectionViewSet,
    SchoolBudgetViewSet,
    SchoolClaimViewSet,
)

router = SimpleRouter()
router.register("subsidies/budgets", SchoolBudgetViewSet, basename="school-subsidy-budget")
router.register("subsidies/claims", SchoolClaimViewSet, basename="school-subsidy-claim")
router.register("subsidies/corrections", CorrectionViewSet, basename="school-subsidy-correction")

urlpatterns = router.urls
