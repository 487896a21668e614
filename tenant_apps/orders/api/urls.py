"""A school's order routes: orders (placing, deliveries, invoices, cancelling), deliveries,
invoices and expenditures."""

from rest_framework.routers import SimpleRouter

from tenant_apps.orders.api.views import (
    DeliveryViewSet,
    ExpenditureViewSet,
    InvoiceNoteViewSet,
    InvoiceViewSet,
    OrderViewSet,
)

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="orders-order")
router.register("deliveries", DeliveryViewSet, basename="orders-delivery")
router.register("invoices", InvoiceViewSet, basename="orders-invoice")
router.register("expenditures", ExpenditureViewSet, basename="orders-expenditure")
router.register("invoice-notes", InvoiceNoteViewSet, basename="orders-invoice-note")

urlpatterns = router.urls
