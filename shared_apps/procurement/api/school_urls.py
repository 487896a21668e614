"""A school's own procurement routes (district tables, this school's rows)."""

from rest_framework.routers import SimpleRouter

from shared_apps.procurement.api.tender_views import SchoolRequisitionViewSet

router = SimpleRouter()
router.register(
    "procurement/requisitions", SchoolRequisitionViewSet, basename="school-procurement-requisition"
)

urlpatterns = router.urls
