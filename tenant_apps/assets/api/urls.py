"""A school's property routes."""

from rest_framework.routers import SimpleRouter

from tenant_apps.assets.api.views import (
    AssetLabelViewSet,
    AssetViewSet,
    BuildingViewSet,
    DepreciationViewSet,
    DiscrepancyViewSet,
    DisposalViewSet,
    LedgerBalanceViewSet,
    RoomViewSet,
    StockTakeViewSet,
)

router = SimpleRouter()
router.register("assets/buildings", BuildingViewSet, basename="assets-building")
router.register("assets/rooms", RoomViewSet, basename="assets-room")
router.register("assets/register", AssetViewSet, basename="assets-asset")
router.register("assets/labels", AssetLabelViewSet, basename="assets-label")
router.register("assets/depreciation", DepreciationViewSet, basename="assets-depreciation")
router.register("assets/stock-takes", StockTakeViewSet, basename="assets-stock-take")
router.register("assets/discrepancies", DiscrepancyViewSet, basename="assets-discrepancy")
router.register("assets/disposals", DisposalViewSet, basename="assets-disposal")
router.register("assets/ledger", LedgerBalanceViewSet, basename="assets-ledger")

urlpatterns = router.urls
