"""Suppliers, the catalogue, framework contracts, ratings and the district's spend views.

Grants in houqin/roles.py: the procurement officer holds `procurement.*` (everywhere: district
roles hold in every school); auditors `*.view_*`; a supplier account `:own` views of its company's
rows and adding qualifications (its own company's: checked on adding); every district role reads
the catalogue. On a school's host the principal, logistics director, canteen manager and
accountant read the catalogue, suppliers and the contracts in force; the logistics director and
canteen manager rate suppliers, the principal reads the ratings.

A supplier account made by `user_with_role` acts for no company: it is allowed the lists (empty
for it) and refused the rest."""

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shared_apps.procurement.credit_codes import credit_code_check_character
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    ContractPrice,
    FrameworkContract,
    Qualification,
    SpendLine,
    Supplier,
    SupplierEvent,
    SupplierRating,
)
from tenants.models import School
from tests.conftest import SCHOOL_A
from tests.matrix import (
    AUDITOR,
    DISTRICT_STAFF,
    EVERY_DISTRICT_ROLE,
    Built,
    Operations,
    R,
    Scene,
)

OFFICER = frozenset({R.PROCUREMENT_OFFICER})
READERS = OFFICER | AUDITOR
OWN_READERS = READERS | {R.SUPPLIER}
BUYERS = frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER, R.ACCOUNTANT})
RATERS = frozenset({R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER})

DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/procurement/suppliers/"): OWN_READERS,
    ("POST", "/api/v1/procurement/suppliers/"): OFFICER,
    ("GET", "/api/v1/procurement/suppliers/{id}/"): READERS,
    ("PATCH", "/api/v1/procurement/suppliers/{id}/"): OFFICER,
    ("POST", "/api/v1/procurement/suppliers/{id}/suspend/"): OFFICER,
    ("POST", "/api/v1/procurement/suppliers/{id}/reinstate/"): OFFICER,
    ("GET", "/api/v1/procurement/suppliers/{id}/orders/"): READERS,
    ("GET", "/api/v1/procurement/supplier-accounts/"): READERS,
    ("POST", "/api/v1/procurement/supplier-accounts/"): OFFICER,
    ("GET", "/api/v1/procurement/qualifications/"): OWN_READERS,
    ("POST", "/api/v1/procurement/qualifications/"): OFFICER,
    ("GET", "/api/v1/procurement/qualifications/{id}/"): READERS,
    # Only the officer verifies a licence against its document; its supplier never does.
    ("POST", "/api/v1/procurement/qualifications/{id}/verify/"): OFFICER,
    ("POST", "/api/v1/procurement/qualifications/{id}/reject/"): OFFICER,
    ("GET", "/api/v1/procurement/supplier-events/"): OWN_READERS,
    ("GET", "/api/v1/procurement/supplier-events/{id}/"): READERS,
    ("GET", "/api/v1/procurement/catalogue/"): EVERY_DISTRICT_ROLE,
    ("POST", "/api/v1/procurement/catalogue/"): OFFICER,
    ("GET", "/api/v1/procurement/catalogue/{id}/"): EVERY_DISTRICT_ROLE,
    ("PATCH", "/api/v1/procurement/catalogue/{id}/"): OFFICER,
    ("POST", "/api/v1/procurement/catalogue/import/"): OFFICER,
    ("GET", "/api/v1/procurement/contracts/"): OWN_READERS,
    ("GET", "/api/v1/procurement/contracts/{id}/"): READERS,
    ("GET", "/api/v1/procurement/ratings/"): READERS,
    ("GET", "/api/v1/procurement/ratings/{id}/"): READERS,
    ("GET", "/api/v1/procurement/spend/summary/"): READERS,
}

# Suppliers' accounts exist on the district host only: a school's host answers them nothing.
SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/procurement/suppliers/"): BUYERS | READERS,
    ("GET", "/api/v1/procurement/catalogue/"): BUYERS | DISTRICT_STAFF,
    ("GET", "/api/v1/procurement/contracts/"): BUYERS | READERS,
    ("GET", "/api/v1/procurement/ratings/"): RATERS | {R.PRINCIPAL} | READERS,
    ("GET", "/api/v1/procurement/ratings/{id}/"): RATERS | {R.PRINCIPAL} | READERS,
    # The school rates its suppliers; the centre's officer reads the ratings.
    ("POST", "/api/v1/procurement/ratings/"): RATERS,
}

# Codes unique across every scene of a run.
_serial = itertools.count(1)


def credit_code(n: int) -> str:
    """A valid unified social credit code (GB 32100-2015) for test company `n`: a company (91)
    registered in Beijing, Chaoyang (110105)."""
    first_17 = f"91110105{n:09d}"
    return first_17 + credit_code_check_character(first_17)


def make_supplier(**values: Any) -> Supplier:
    n = next(_serial) + Supplier.objects.count() * 1000
    fields: dict[str, Any] = {
        "name": f"县测试供应公司{n}",
        "credit_code": credit_code(n),
        "address": "县城建设路1号",
        "contact_name": "王经理",
        "contact_phone": "0371-6000000",
        "categories": [Category.FOOD, Category.KITCHEN],
        **values,
    }
    return Supplier.objects.create(**fields)


def make_item(
    category: str = Category.KITCHEN, reference_price: Decimal = Decimal("10.00"), **values: Any
) -> CatalogueItem:
    n = next(_serial)
    fields: dict[str, Any] = {
        "code": f"T{n:06d}-{CatalogueItem.objects.count()}",
        "name": f"测试品目{n}",
        "category": category,
        "unit": "kg" if category == Category.FOOD else "个",
        "reference_price": reference_price,
        "reference_date": date(2025, 1, 1),
        **values,
    }
    return CatalogueItem.objects.create(**fields)


def make_contract(
    supplier: Supplier | None = None,
    prices: list[tuple[CatalogueItem, Decimal]] | None = None,
    **values: Any,
) -> FrameworkContract:
    """A contract in force today (by default) with the given prices (one kitchen item at 9.50
    when none are given)."""
    today = timezone.localdate()
    supplier = supplier or make_supplier()
    fields: dict[str, Any] = {
        "number": f"KJ-{next(_serial):06d}-{FrameworkContract.objects.count()}",
        "supplier": supplier,
        "category": Category.KITCHEN,
        "valid_from": today - timedelta(days=30),
        "valid_to": today + timedelta(days=365),
        **values,
    }
    contract = FrameworkContract.objects.create(**fields)
    for item, price in prices if prices is not None else [(make_item(), Decimal("9.50"))]:
        ContractPrice.objects.create(contract=contract, item=item, unit_price=price)
    return contract


def make_spend_line(school: School, supplier: Supplier, **values: Any) -> SpendLine:
    """A line of an order the school placed with the supplier today (outside any contract)."""
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "school": school,
        "order_line_id": 900_000_000 + next(_serial),
        "order_number": f"PO-T{next(_serial):06d}",
        "supplier": supplier,
        "description": "清洁剂",
        "category": Category.CLEANING,
        "ordered_on": today,
        "due_on": today,
        "quantity": Decimal("2.000"),
        "unit_price": Decimal("15.00"),
        "amount": Decimal("30.00"),
        "outside_contract_reason": "急用",
        **values,
    }
    return SpendLine.objects.create(**fields)


def make_rating(school: School, supplier: Supplier | None = None, **values: Any) -> SupplierRating:
    fields: dict[str, Any] = {
        "school": school,
        "supplier": supplier or make_supplier(),
        "month": timezone.localdate().replace(day=1),
        "quality": 80,
        "punctuality": 70,
        "service": 90,
        "score": 80,
        **values,
    }
    return SupplierRating.objects.create(**fields)


def catalogue_csv(code: str) -> SimpleUploadedFile:
    text = f"编码,名称,类别,单位,规格,参考价,参考价日期\n{code},大米,食品,kg,一级,5.20,2025-03-01\n"
    return SimpleUploadedFile("catalogue.csv", text.encode(), content_type="text/csv")


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    school = scene.school or School.objects.get(code=SCHOOL_A)
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    serial = next(_serial)
    if path == "/api/v1/procurement/suppliers/" and method == "POST":
        body = {
            "name": "新供应商",
            "credit_code": credit_code(900_000_000 + serial),
            "address": "县城解放路2号",
            "contact_name": "李经理",
            "contact_phone": "13800000000",
            "categories": ["food"],
        }
    elif path.endswith("/reinstate/"):
        supplier = make_supplier(status=Supplier.Status.SUSPENDED, status_reason="资质过期")
        params["id"] = supplier.pk
        body = {"reason": "已补齐资质"}
    elif path.endswith("/suspend/"):
        params["id"] = make_supplier().pk
        body = {"reason": "多次迟交货"}
    elif path.endswith("/orders/"):
        supplier = make_supplier()
        make_spend_line(school, supplier)
        params["id"] = supplier.pk
    elif path == "/api/v1/procurement/suppliers/{id}/":
        params["id"] = make_supplier().pk
        body = {"contact_phone": "0371-6000001"} if method == "PATCH" else None
    elif path == "/api/v1/procurement/supplier-accounts/" and method == "POST":
        body = {"supplier": make_supplier().pk, "username": f"supplier-{serial}-{n}"}
    elif path.startswith("/api/v1/procurement/qualifications/"):
        supplier = make_supplier()
        if "{id}" in path:
            qualification = Qualification.objects.create(
                supplier=supplier,
                kind=Qualification.Kind.BUSINESS,
                number=f"Q{serial}",
                valid_from=date(2024, 1, 1),
                expires_on=date(2030, 1, 1),
            )
            params["id"] = qualification.pk
            if path.endswith("/reject/"):
                body = {"reason": "许可证编号与原件不符"}
        elif method == "POST":
            body = {
                "supplier": supplier.pk,
                "kind": "food_business",
                "number": f"JY{serial:012d}",
                "valid_from": "2024-01-01",
                "expires_on": "2029-12-31",
            }
    elif path == "/api/v1/procurement/supplier-events/{id}/":
        event = SupplierEvent.objects.create(
            supplier=make_supplier(), kind=SupplierEvent.Kind.SUSPENDED, reason="测试"
        )
        params["id"] = event.pk
    elif path == "/api/v1/procurement/catalogue/import/":
        body = {"file": catalogue_csv(f"IMP{serial:06d}")}
    elif path == "/api/v1/procurement/catalogue/" and method == "POST":
        body = {
            "code": f"NEW{serial:06d}",
            "name": "食用油",
            "category": "food",
            "unit": "L",
            "reference_price": "12.50",
            "reference_date": "2025-03-01",
        }
    elif path == "/api/v1/procurement/catalogue/{id}/":
        params["id"] = make_item().pk
        body = (
            {"reference_price": "11.00", "reference_date": "2025-04-01"}
            if method == "PATCH"
            else None
        )
    elif path == "/api/v1/procurement/contracts/{id}/":
        params["id"] = make_contract().pk
    elif path == "/api/v1/procurement/ratings/{id}/":
        params["id"] = make_rating(school).pk
    elif path == "/api/v1/procurement/ratings/" and method == "POST":
        supplier = make_supplier()
        make_spend_line(school, supplier)
        body = {
            "supplier": supplier.pk,
            "month": timezone.localdate().isoformat(),
            "quality": 85,
            "punctuality": 90,
            "service": 80,
        }
    return params, body
