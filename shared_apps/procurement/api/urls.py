"""The district centre's procurement routes."""

from rest_framework.routers import SimpleRouter

from shared_apps.procurement.api.tender_views import (
    BidViewSet,
    EvaluatorViewSet,
    NoticeViewSet,
    RequisitionViewSet,
    SeatViewSet,
    SignalViewSet,
    TenderViewSet,
)

router = SimpleRouter()
router.register("procurement/requisitions", RequisitionViewSet, basename="procurement-requisition")
router.register("procurement/evaluators", EvaluatorViewSet, basename="procurement-evaluator")
router.register("procurement/tenders", TenderViewSet, basename="procurement-tender")
router.register("procurement/notices", NoticeViewSet, basename="procurement-notice")
router.register("procurement/seats", SeatViewSet, basename="procurement-seat")
router.register("procurement/bids", BidViewSet, basename="procurement-bid")
router.register("procurement/signals", SignalViewSet, basename="procurement-signal")

urlpatterns = router.urls
