"""A school's orders' pages (tenant_apps/orders/web): placing at contract prices and receiving
deliveries for the logistics director and the canteen manager, who rate the supplier too;
recording invoices and paying them for the accountant; reading for those who read orders.

Grants in houqin/roles.py: `orders.view_*` for the principal, logistics director, canteen
manager, accountant and asset keeper (and `*.view_*` for auditors); `orders.add_order` and
`orders.deliver_order` for the logistics director and the canteen manager (`_ORDERING`, with
`procurement.add_supplierrating`); `orders.invoice_order` and `orders.pay_expenditure` for the
accountant."""

from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from tests.matrix import Scene
from tests.matrix.orders import ACCOUNTANT, BUYERS, READERS, make_order
from tests.matrix.supply import RATERS
from tests.pages import Declared, Pages


def order(scene: Scene) -> dict[str, Any]:
    return {"pk": make_order(scene.school).pk}


def delivered(scene: Scene) -> dict[str, Any]:
    return {"pk": make_order(scene.school, delivered=Decimal("10")).pk}


def expenditure(scene: Scene) -> dict[str, Any]:
    made = make_order(scene.school, delivered=Decimal("10"), invoiced=True)
    with tenant_context(scene.school):
        return {"pk": made.invoices.get().expenditure.pk}


SCHOOL_PAGES: Pages = {
    "orders:list": Declared(READERS),
    "orders:order": Declared(READERS, order),
    "orders:place": Declared(BUYERS),
    "orders:due": Declared(BUYERS),
    "orders:deliver": Declared(BUYERS, order),
    "orders:invoice": Declared(ACCOUNTANT, delivered),
    "orders:payments": Declared(ACCOUNTANT),
    "orders:pay": Declared(ACCOUNTANT, expenditure),
    "orders:rate": Declared(RATERS),
}
