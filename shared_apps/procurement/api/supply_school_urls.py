"""A school's procurement routes: the catalogue, the suppliers and the contracts in force to order
from (district tables), and the school's monthly ratings of its suppliers."""

from rest_framework.routers import SimpleRouter

from shared_apps.procurement.api.supply_views import (
    SchoolCatalogueViewSet,
    SchoolContractViewSet,
    SchoolRatingViewSet,
    SchoolSupplierViewSet,
)

router = SimpleRouter()
router.register(
    "procurement/suppliers", SchoolSupplierViewSet, basename="school-procurement-supplier"
)
router.register(
    "procurement/catalogue", SchoolCatalogueViewSet, basename="school-procurement-catalogue"
)
router.register(
    "procurement/contracts", SchoolContractViewSet, basename="school-procurement-contract"
)
router.register("procurement/ratings", SchoolRatingViewSet, basename="school-procurement-rating")

urlpatterns = router.urls
