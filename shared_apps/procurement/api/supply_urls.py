"""The district centre's routes for suppliers, the catalogue, framework contracts, ratings and the
district's spend views."""

from rest_framework.routers import SimpleRouter

from shared_apps.procurement.api.supply_views import (
    CatalogueItemViewSet,
    ContractViewSet,
    QualificationViewSet,
    RatingViewSet,
    SpendViewSet,
    SupplierAccountViewSet,
    SupplierEventViewSet,
    SupplierViewSet,
)

router = SimpleRouter()
router.register("procurement/suppliers", SupplierViewSet, basename="procurement-supplier")
router.register(
    "procurement/supplier-accounts", SupplierAccountViewSet, basename="procurement-supplier-account"
)
router.register(
    "procurement/qualifications", QualificationViewSet, basename="procurement-qualification"
)
router.register(
    "procurement/supplier-events", SupplierEventViewSet, basename="procurement-supplier-event"
)
router.register("procurement/catalogue", CatalogueItemViewSet, basename="procurement-catalogue")
router.register("procurement/contracts", ContractViewSet, basename="procurement-contract")
router.register("procurement/ratings", RatingViewSet, basename="procurement-rating")
router.register("procurement/spend", SpendViewSet, basename="procurement-spend")

urlpatterns = router.urls
