"""Tenders' operations, and the factories their tests share.

A school's host: the logistics director and canteen manager raise requisitions, the principal
approves or rejects them; the school's managers and accountant read them (the canteen manager
their own). District host: the procurement officer runs tenders; evaluators act only in their
own seats (operations no generated caller can perform: the matrix proves everyone else is
refused; tests/test_tenders.py proves the members succeed); suppliers read notices and their own
bids; auditors read everything. District roles hold in every school: the officer's
`procurement.*` reaches a school's requisitions too (roles.py).
"""

import base64
import itertools
import os
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from Crypto.PublicKey import ECC
from django.conf import settings
from django.utils import timezone

from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.procurement import sealing
from shared_apps.procurement.models import (
    Bid,
    CatalogueItem,
    Category,
    CommitteeSeat,
    Evaluator,
    Lot,
    Qualification,
    Requisition,
    RequisitionLine,
    Supplier,
    SupplierUser,
    Tender,
)
from shared_apps.procurement.services import bids, evaluation, opening
from shared_apps.procurement.services import tenders as services
from tenants.models import School
from tests.conftest import SCHOOL_A
from tests.factories import user_with_role
from tests.matrix import AUDITOR, Built, Operations, R, Scene

OFFICER = frozenset({R.PROCUREMENT_OFFICER})
DISTRICT_READERS = OFFICER | AUDITOR
NOBODY: frozenset[Role] = frozenset()
SCHOOL_READERS = frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR, R.ACCOUNTANT}) | DISTRICT_READERS

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/procurement/requisitions/"): SCHOOL_READERS | {R.CANTEEN_MANAGER},
    # The school's own acts: the centre's officer reads but neither raises nor approves.
    ("POST", "/api/v1/procurement/requisitions/"): frozenset(
        {R.LOGISTICS_DIRECTOR, R.CANTEEN_MANAGER}
    ),
    ("GET", "/api/v1/procurement/requisitions/{id}/"): SCHOOL_READERS,
    ("POST", "/api/v1/procurement/requisitions/{id}/approve/"): frozenset({R.PRINCIPAL}),
    ("POST", "/api/v1/procurement/requisitions/{id}/reject/"): frozenset({R.PRINCIPAL}),
}

DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/procurement/requisitions/"): DISTRICT_READERS,
    ("GET", "/api/v1/procurement/requisitions/{id}/"): DISTRICT_READERS,
    ("GET", "/api/v1/procurement/evaluators/"): DISTRICT_READERS | {R.EVALUATOR},
    ("POST", "/api/v1/procurement/evaluators/"): OFFICER,
    ("GET", "/api/v1/procurement/evaluators/{id}/"): DISTRICT_READERS,
    ("PATCH", "/api/v1/procurement/evaluators/{id}/"): OFFICER,
    ("POST", "/api/v1/procurement/evaluators/{id}/key/"): NOBODY,
    ("GET", "/api/v1/procurement/tenders/"): DISTRICT_READERS | {R.EVALUATOR},
    ("POST", "/api/v1/procurement/tenders/"): OFFICER,
    ("GET", "/api/v1/procurement/tenders/{id}/"): DISTRICT_READERS,
    ("PATCH", "/api/v1/procurement/tenders/{id}/"): OFFICER,
    ("POST", "/api/v1/procurement/tenders/{id}/publish/"): OFFICER,
    ("POST", "/api/v1/procurement/tenders/{id}/reserve/"): OFFICER,
    ("POST", "/api/v1/procurement/tenders/{id}/cancel/"): OFFICER,
    ("POST", "/api/v1/procurement/tenders/{id}/open/"): OFFICER,
    ("POST", "/api/v1/procurement/tenders/{id}/scores/"): NOBODY,
    ("POST", "/api/v1/procurement/tenders/{id}/evaluate/"): OFFICER,
    ("POST", "/api/v1/procurement/tenders/{id}/award/"): OFFICER,
    ("GET", "/api/v1/procurement/tenders/{id}/bids/"): DISTRICT_READERS,
    ("GET", "/api/v1/procurement/tenders/{id}/evaluation/"): DISTRICT_READERS,
    ("GET", "/api/v1/procurement/notices/"): OFFICER | {R.SUPPLIER},
    ("GET", "/api/v1/procurement/notices/{id}/"): OFFICER | {R.SUPPLIER},
    ("GET", "/api/v1/procurement/seats/"): DISTRICT_READERS | {R.EVALUATOR},
    ("GET", "/api/v1/procurement/seats/{id}/"): DISTRICT_READERS,
    ("POST", "/api/v1/procurement/seats/{id}/declare/"): NOBODY,
    ("POST", "/api/v1/procurement/seats/{id}/present/"): NOBODY,
    # A supplier-role account without a company (SupplierUser) cannot bid either.
    ("GET", "/api/v1/procurement/bids/"): DISTRICT_READERS | {R.SUPPLIER},
    ("POST", "/api/v1/procurement/bids/"): NOBODY,
    ("GET", "/api/v1/procurement/bids/{id}/"): DISTRICT_READERS,
    ("POST", "/api/v1/procurement/bids/{id}/withdraw/"): NOBODY,
    ("GET", "/api/v1/procurement/signals/"): DISTRICT_READERS,
}

PASSPHRASE = "正确 马 电池 钉书针 2026"
_serial = itertools.count(1)


# Factories -----------------------------------------------------------------------------------


@cache
def sealing_keys(count: int = 4) -> list[tuple[bytes, bytes]]:
    """A few evaluator key pairs locked under PASSPHRASE, made once per run and shared by the
    evaluators tests make (the keys are bytes; any evaluator may hold any of them)."""
    made = []
    for _ in range(count):
        key = sealing.new_key_pair(settings.PROCUREMENT_SEALING_RSA_BITS)
        locked = sealing.lock_private_key(
            key, PASSPHRASE, scrypt_cost=settings.PROCUREMENT_SEALING_SCRYPT_COST
        )
        made.append((sealing.public_pem(key), locked))
    return made


def pinned_district_key() -> str:
    """The district's public signing key as a bidder pins it from the district's own publication
    (here: made from the test settings' seed, not read from the API)."""
    seed = base64.b64decode(settings.PROCUREMENT_SIGNING_KEY)
    key = ECC.construct(curve="Ed25519", seed=seed).public_key()
    return base64.b64encode(key.export_key(format="raw")).decode()


def make_item(category: str = Category.FOOD, **values: Any) -> CatalogueItem:
    n = next(_serial)
    fields: dict[str, Any] = {
        "code": f"T{n:06d}",
        "name": f"物品{n}",
        "category": category,
        "unit": "kg",
        "specification": "国标一级",
        "reference_price": Decimal("10.00"),
        "reference_date": date(2026, 1, 1),
        **values,
    }
    return CatalogueItem.objects.create(**fields)


def make_supplier(
    *,
    qualified: bool = True,
    food_licence: bool = True,
    expires_on: date | None = None,
    **values: Any,
) -> Supplier:
    """A supplier whose licences (a business licence, and a food one unless `food_licence` is
    false; none unless `qualified`) the officer has verified."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "name": f"供应商{n}",
        # Unique across the processes that build in one database (the bench's steps).
        "credit_code": f"91{os.getpid() % 10**6:06d}{n:010d}",
        "address": f"县城路{n}号",
        "contact_name": "王经理",
        "contact_phone": f"139{n:08d}",
        "contact_email": f"s{n}@example.cn",
        "categories": ["food"],
        **values,
    }
    supplier = Supplier.objects.create(**fields)
    expiry = expires_on or timezone.localdate() + timedelta(days=365)
    kinds = [Qualification.Kind.BUSINESS] if qualified else []
    if qualified and food_licence:
        kinds.append(Qualification.Kind.FOOD_BUSINESS)
    checked_by = officer() if kinds else None
    for kind in kinds:
        Qualification.objects.create(
            supplier=supplier,
            kind=kind,
            number=f"{kind}-{n}",
            valid_from=date(2020, 1, 1),
            expires_on=expiry,
            status=Qualification.Status.VERIFIED,
            verified_by=checked_by,
            verified_at=timezone.now(),
        )
    return supplier


def supplier_account(supplier: Supplier) -> User:
    user = user_with_role(R.SUPPLIER)
    SupplierUser.objects.create(user=user, supplier=supplier)
    return user


def make_evaluator(*, registered: bool = True, **values: Any) -> Evaluator:
    n = next(_serial)
    fields: dict[str, Any] = {
        "name": f"专家{n}",
        "employer": "县农业局",
        "address": f"专家路{n}号",
        "phone": f"137{n:08d}",
        **values,
    }
    evaluator = Evaluator.objects.create(user=user_with_role(R.EVALUATOR), **fields)
    if registered:
        public, locked = sealing_keys()[n % len(sealing_keys())]
        Evaluator.objects.filter(pk=evaluator.pk).update(
            public_key=public, locked_private_key=locked, key_registered_at=timezone.now()
        )
        evaluator.refresh_from_db()
    return evaluator


def make_requisition(
    school: School,
    items: list[CatalogueItem],
    *,
    status: str = Requisition.Status.APPROVED,
    quantity: Decimal = Decimal("100"),
    raised_by: User | None = None,
) -> Requisition:
    requisition = Requisition.objects.create(
        school=school,
        status=status,
        raised_by=raised_by or user_with_role(R.LOGISTICS_DIRECTOR, school),
        note="本学期食堂用料",
    )
    RequisitionLine.objects.bulk_create(
        RequisitionLine(
            requisition=requisition,
            item=item,
            quantity=quantity,
            needed_by=timezone.localdate() + timedelta(days=30),
        )
        for item in items
    )
    return requisition


def officer() -> User:
    return user_with_role(R.PROCUREMENT_OFFICER)


def draft_tender(
    *,
    school: School | None = None,
    categories: tuple[str, ...] = (Category.FOOD,),
    items_per_lot: int = 2,
    committee: int = 3,
    threshold: int = 2,
    ceiling: Decimal = Decimal("100000.00"),
    criteria: tuple[tuple[str, int, int], ...] = (("质量", 30, 10), ("服务", 30, 10)),
    price_weight: int = 40,
    quantity: Decimal = Decimal("100"),
    actor: User | None = None,
) -> Tender:
    """A draft from one approved requisition of `school`, with lots of `categories`, settings
    complete and a committee of evaluators with registered keys: ready to publish."""
    school = school or School.objects.get(code=SCHOOL_A)
    items = [make_item(category) for category in categories for _ in range(items_per_lot)]
    requisition = make_requisition(school, items, quantity=quantity)
    return services.tender_create(
        title="2026年春季学期食材集中采购",
        requisitions=[requisition],
        deadline=timezone.now() + timedelta(days=7),
        price_weight=price_weight,
        criteria=[services.CriterionSpec(name, weight, top) for name, weight, top in criteria],
        committee=[make_evaluator() for _ in range(committee)],
        threshold=threshold,
        ceilings=dict.fromkeys(categories, ceiling),
        contract_months=12,
        actor=actor or officer(),
    )


def published_tender(**draft: Any) -> Tender:
    tender = draft_tender(**draft)
    return services.tender_publish(tender=tender, actor=officer())


def bid_on(
    lot: Lot,
    unit_price: Decimal | list[Decimal] = Decimal("10.00"),
    *,
    supplier: Supplier | None = None,
    actor: User | None = None,
) -> Bid:
    """A bid for every line of `lot` at `unit_price` (one price for all lines, or one each)."""
    lines = list(lot.lines.order_by("pk"))
    prices = unit_price if isinstance(unit_price, list) else [unit_price] * len(lines)
    if actor is None:
        actor = supplier_account(supplier or make_supplier())
    return bids.bid_submit(
        lot=lot,
        contents=bids.BidContents(
            unit_prices={line.pk: price for line, price in zip(lines, prices, strict=True)},
            delivery_terms="次日达，冷链配送",
            quality_statement="全部产品附检验合格证明",
        ),
        key_fingerprint=Tender.objects.get(pk=lot.tender_id).key_fingerprint,
        actor=actor,
    )


def close(tender: Tender) -> None:
    """Let the deadline pass (the tender was published with a future one)."""
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    tender.refresh_from_db()


def seats(tender: Tender) -> list[CommitteeSeat]:
    return list(tender.seats.select_related("evaluator__user").order_by("index"))


def present(seat: CommitteeSeat, *, conflict: bool = False, open_when_ready: bool = True) -> None:
    user = seat.evaluator.user
    opening.seat_declare(
        seat=seat, conflict=conflict, note="曾在该公司任职" if conflict else "", actor=user
    )
    seat.refresh_from_db()
    opening.share_present(
        seat=seat, passphrase=PASSPHRASE, open_when_ready=open_when_ready, actor=user
    )


def opened_tender(prices: tuple[Decimal, ...] = (Decimal("10.00"),), **draft: Any) -> Tender:
    """A tender with a bid per price on its first lot, past its deadline and opened."""
    tender = published_tender(**draft)
    lot = tender.lots.order_by("number").first()
    assert lot is not None
    for price in prices:
        bid_on(lot, price)
    close(tender)
    for seat in seats(tender)[: tender.threshold]:
        present(seat)
    tender.refresh_from_db()
    return tender


def score_all(tender: Tender, score: Decimal = Decimal("8")) -> None:
    """Every member without a conflict gives `score` on every criterion to every valid bid."""
    valid = list(Bid.objects.filter(lot__tender=tender, status=Bid.Status.VALID))
    criteria = list(tender.criteria.all())
    for seat in tender.seats.filter(conflict=False).select_related("evaluator__user"):
        evaluation.scores_record(
            tender=tender,
            scores=[evaluation.GivenScore(b.pk, c.pk, score) for b in valid for c in criteria],
            actor=seat.evaluator.user,
        )


def evaluated_tender(prices: tuple[Decimal, ...] = (Decimal("10.00"),), **draft: Any) -> Tender:
    tender = opened_tender(prices, **draft)
    score_all(tender)
    tender = evaluation.tender_evaluate(tender=tender, actor=officer())
    return tender


# The matrix's builds -------------------------------------------------------------------------


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    school = scene.school or School.objects.get(code=SCHOOL_A)
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if "/requisitions/" in path:
        if method == "POST" and "{id}" not in path:
            body = {
                "note": "下周食堂用米",
                "lines": [
                    {
                        "item": make_item().code,
                        "quantity": "250.000",
                        "needed_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
                    }
                ],
            }
        elif "{id}" in path:
            status = (
                Requisition.Status.PENDING
                if path.endswith(("/approve/", "/reject/"))
                else Requisition.Status.APPROVED
            )
            params["id"] = make_requisition(school, [make_item()], status=status).pk
            if path.endswith("/reject/"):
                body = {"reason": "数量超过本学期就餐人数所需"}
    elif "/evaluators/" in path:
        if "{id}" in path:
            params["id"] = make_evaluator(registered=False).pk
            if method == "PATCH":
                body = {"phone": "13800000000", "active": True}
            elif path.endswith("/key/"):
                body = {"passphrase": PASSPHRASE}
        elif method == "POST":
            user = user_with_role(R.EVALUATOR)
            body = {
                "user": user.pk,
                "name": "李专家",
                "employer": "市食品检验所",
                "address": "检验路1号",
                "phone": "13711112222",
            }
    elif "/tenders/" in path:
        params, body = _build_tender(school, method, path)
    elif "/notices/" in path:
        if "{id}" in path:
            params["id"] = published_tender(school=school).pk
    elif "/seats/" in path:
        if "{id}" in path:
            tender = published_tender(school=school)
            if path.endswith(("/declare/", "/present/")):
                close(tender)
            seat = seats(tender)[0]
            params["id"] = seat.pk
            if path.endswith("/declare/"):
                body = {"conflict": False, "note": ""}
            elif path.endswith("/present/"):
                body = {"passphrase": PASSPHRASE}
    elif "/bids/" in path:
        if method == "GET" and "{id}" in path:
            # An opened tender's bid: before the opening nobody but the bidder reads one.
            params["id"] = Bid.objects.get(lot__tender=opened_tender(school=school)).public_id
            return params, body
        tender = published_tender(school=school)
        lot = tender.lots.first()
        assert lot is not None
        if "{id}" in path:
            params["id"] = bid_on(lot).public_id
        elif method == "POST":
            body = {
                "lot": lot.pk,
                "lines": [{"line": line.pk, "unit_price": "9.80"} for line in lot.lines.all()],
                "delivery_terms": "次日达",
                "quality_statement": "附检验报告",
                "key_fingerprint": tender.key_fingerprint,
            }
    return params, body


def _build_tender(school: School, method: str, path: str) -> Built:
    body: dict[str, Any] | None = None
    if "{id}" not in path:
        if method == "POST":
            items = [make_item(), make_item(Category.CLEANING)]
            body = {
                "title": "2026年秋季学期集中采购",
                "requisitions": [make_requisition(school, items).pk],
                "price_weight": 40,
                "criteria": [{"name": "质量", "weight": 60, "max_score": 10}],
            }
        return {}, body
    if path.endswith("/open/"):
        tender = published_tender(school=school)
        bid_on(tender.lots.get(), Decimal("9.00"))
        close(tender)
        for seat in seats(tender)[: tender.threshold]:
            present(seat, open_when_ready=False)
    elif path.endswith("/scores/"):
        tender = opened_tender(school=school)
        bid = Bid.objects.get(lot__tender=tender)
        body = {
            "scores": [
                {"bid": str(bid.public_id), "criterion": c.pk, "score": "7.5"}
                for c in tender.criteria.all()
            ]
        }
    elif path.endswith("/evaluate/"):
        tender = opened_tender(school=school)
        score_all(tender)
    elif path.endswith("/award/"):
        tender = evaluated_tender(school=school)
        body = {"lot": tender.lots.get().pk, "justification": "仅一家有效投标，经核实价格合理"}
    elif path.endswith(("/bids/", "/evaluation/")):
        tender = opened_tender(school=school)
    elif path.endswith(("/publish/", "/{id}/")) and method != "GET":
        tender = draft_tender(school=school)
        if method == "PATCH":
            body = {"title": "2026年春季学期食材集中采购（更正）", "contract_months": 24}
    elif path.endswith("/reserve/"):
        tender = published_tender(school=school)
        body = {"reserve_prices": [{"lot": tender.lots.get().pk, "amount": "1800.00"}]}
    elif path.endswith("/cancel/"):
        tender = published_tender(school=school)
        body = {"reason": "需求变更，重新招标"}
    else:
        tender = published_tender(school=school)
    return {"id": tender.pk}, body
