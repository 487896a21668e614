"""The procurement officer's pages with Django's test client: the requisitions waiting by
category; a tender drafted from some of them only when it could be published (each refusal next
to its setting, nothing kept); publication; reserve prices typed once and never shown back; the
award beside the members' scores, a departure from the recommendation only with a reason
(flagged), its contract following; suppliers suspended and reinstated with reasons; licences
verified or rejected; the contracts in force with their prices. Lists cost the same number of
queries whatever their rows; the home page counts what waits."""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.procurement.models import (
    Award,
    Bid,
    Category,
    ContractPrice,
    Qualification,
    Supplier,
    SupplierEvent,
    Tender,
    TenderLineSource,
)
from shared_apps.procurement.services import suppliers
from tenants.models import School
from tests.factories import licence_scan, user_with_role
from tests.matrix.tenders import (
    draft_tender,
    evaluated_tender,
    make_evaluator,
    make_item,
    make_requisition,
    make_supplier,
    officer,
    published_tender,
)
from tests.web import queries, signed_in

pytestmark = pytest.mark.django_db


def _officer(district_host: str) -> tuple[Client, User]:
    user = user_with_role(Role.PROCUREMENT_OFFICER, None)
    return signed_in(district_host, user), user


def _text(response: Any) -> str:
    return str(response.content.decode())


def _field_error(response: Any, field: str) -> str:
    found = re.search(rf'id="id_{field}_error">([^<]*)<', _text(response))
    assert found, f"no error next to {field}"
    return found.group(1)


# Requisitions and tenders -------------------------------------------------------------------------


def test_the_waiting_requisitions_by_category_leave_out_those_tendered(
    school_a: School, district_host: str
) -> None:
    client, _user = _officer(district_host)
    rice = make_item(Category.FOOD, name="东北大米")
    mop = make_item(Category.CLEANING, name="棉拖把")
    waiting = make_requisition(school_a, [rice, mop])
    tendered = draft_tender(school=school_a)
    page = _text(client.get("/procurement/requisitions/"))
    assert "东北大米" in page and "棉拖把" in page
    headings = [page.index(">食物</h2>"), page.index(">清洁用品</h2>")]
    assert headings[0] < page.index("东北大米") < headings[1] < page.index("棉拖把")
    assert f'value="{waiting.pk}"' in page
    already = TenderLineSource.objects.across_schools().filter(tender_line__lot__tender=tendered)
    assert not any(f'value="{s.requisition_line.requisition_id}"' in page for s in already)


def _tender_form(requisition_ids: list[int], categories: list[str], **changes: Any) -> dict:
    deadline = timezone.localtime() + timedelta(days=10)
    members = [make_evaluator() for _ in range(3)]
    form: dict[str, Any] = {
        "requisitions": requisition_ids,
        "title": "2026年秋季学期食材集中采购",
        "deadline": f"{deadline:%Y-%m-%dT%H:%M}",
        "price_weight": "40",
        "contract_months": "12",
        "committee": [m.pk for m in members],
        "threshold": "2",
        "criterion_1": "质量",
        "weight_1": "40",
        "max_score_1": "10",
        "criterion_2": "服务",
        "weight_2": "20",
        "max_score_2": "10",
        **{f"ceiling_{c}": "50000.00" for c in categories},
    }
    form.update(changes)
    return form


def test_a_tender_is_drafted_from_the_ticked_requisitions(
    school_a: School, district_host: str
) -> None:
    client, user = _officer(district_host)
    requisition = make_requisition(school_a, [make_item(), make_item(Category.CLEANING)])
    shown = client.get("/procurement/tenders/new/", {"requisitions": [requisition.pk]})
    assert "id_ceiling_food" in _text(shown) and "id_ceiling_cleaning" in _text(shown)
    form = _tender_form([requisition.pk], ["food", "cleaning"], once="draft-once")
    response = client.post("/procurement/tenders/new/", form)
    assert response.status_code == 302, _text(response)[:2000]
    tender = Tender.objects.get(created_by=user)
    assert response["Location"] == f"/procurement/tenders/{tender.pk}/"
    assert tender.status == Tender.Status.DRAFT and tender.threshold == 2
    assert sorted(tender.lots.values_list("category", "ceiling")) == [
        ("cleaning", Decimal("50000.00")),
        ("food", Decimal("50000.00")),
    ]
    assert tender.seats.count() == 3
    assert sorted(tender.criteria.values_list("name", "weight")) == [("服务", 20), ("质量", 40)]
    again = client.post("/procurement/tenders/new/", form)
    assert again["Location"] == response["Location"]
    assert Tender.objects.filter(created_by=user).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"committee": slice(0, 2)}, "committee", "至少须有 3 名"),
        ({"threshold": "4"}, "threshold", "2"),
        ({"deadline": "2020-01-01T09:00"}, "deadline", "过去"),
        ({"ceiling_food": "0"}, "ceiling_food", ""),
        ({"weight_1": ""}, "weight_1", ""),
    ],
    ids=["committee of two", "threshold above n", "deadline past", "ceiling zero", "no weight"],
)
def test_a_tender_that_could_not_be_published_is_refused_and_nothing_is_kept(
    school_a: School, district_host: str, change: dict[str, Any], field: str, says: str
) -> None:
    client, user = _officer(district_host)
    requisition = make_requisition(school_a, [make_item()])
    form = _tender_form([requisition.pk], ["food"])
    # A slice keeps part of what the form had (two of its three evaluators).
    form.update({k: form[k][v] if isinstance(v, slice) else v for k, v in change.items()})
    response = client.post("/procurement/tenders/new/", form)
    assert response.status_code == 400
    assert says in _field_error(response, field)
    assert not Tender.objects.filter(created_by=user).exists()
    assert (
        not TenderLineSource.objects.across_schools()
        .filter(requisition_line__requisition=requisition)
        .exists()
    )


def test_the_officer_publishes_and_seals_reserve_prices_never_shown_again(
    school_a: School, district_host: str
) -> None:
    client, _user = _officer(district_host)
    tender = draft_tender(school=school_a, categories=(Category.FOOD, Category.CLEANING))
    published = client.post(f"/procurement/tenders/{tender.pk}/publish/", {"once": "pub"})
    assert published.status_code == 302
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    food, cleaning = tender.lots.order_by("number")
    refused = client.post(
        f"/procurement/tenders/{tender.pk}/reserve/",
        {f"lot_{food.pk}": "-7654.32", f"lot_{cleaning.pk}": "8765.43"},
    )
    assert refused.status_code == 400
    assert "7654.32" not in _text(refused) and "8765.43" not in _text(refused)
    food.refresh_from_db()
    assert food.sealed_reserve is None
    sealed = client.post(
        f"/procurement/tenders/{tender.pk}/reserve/",
        {f"lot_{food.pk}": "7654.32", f"lot_{cleaning.pk}": "8765.43"},
    )
    assert sealed.status_code == 302
    assert all(lot.sealed_reserve is not None for lot in tender.lots.all())
    timeline = _text(client.get(f"/procurement/tenders/{tender.pk}/"))
    assert "已密封" in timeline and "7654.32" not in timeline and "8765.43" not in timeline
    assert f"/procurement/tenders/{tender.pk}/reserve/" not in timeline
    again = _text(client.get(f"/procurement/tenders/{tender.pk}/reserve/"))
    assert f"lot_{food.pk}" not in again and "7654.32" not in again


# Award --------------------------------------------------------------------------------------------


def _two_bids() -> tuple[Tender, Bid, Bid]:
    tender = evaluated_tender(prices=(Decimal("10.00"), Decimal("12.00")))
    lot = tender.lots.get()
    recommended = lot.recommended_bid
    assert recommended is not None
    other = lot.bids.exclude(pk=recommended.pk).get()
    return tender, recommended, other


def test_the_award_page_shows_the_members_scores_side_by_side(district_host: str) -> None:
    client, _user = _officer(district_host)
    tender, recommended, other = _two_bids()
    page = _text(client.get(f"/procurement/tenders/{tender.pk}/award/"))
    for seat in tender.seats.filter(conflict=False).select_related("evaluator"):
        for criterion in tender.criteria.all():
            assert f"{seat.evaluator.name} · {criterion.name}" in page
    assert page.index(recommended.supplier.name) < page.index(other.supplier.name)
    assert "推荐" in page and str(recommended.total) in page


def test_a_departure_from_the_recommendation_needs_a_reason_and_is_flagged(
    district_host: str,
) -> None:
    client, user = _officer(district_host)
    tender, _recommended, other = _two_bids()
    lot = tender.lots.get()
    form = {"lot": lot.pk, f"lot{lot.pk}-bid": other.pk, f"lot{lot.pk}-reason": ""}
    refused = client.post(f"/procurement/tenders/{tender.pk}/award/", form)
    assert refused.status_code == 400
    assert _field_error(refused, f"lot{lot.pk}-reason")
    assert not Award.objects.filter(lot=lot).exists()
    form[f"lot{lot.pk}-reason"] = "推荐供应商冷链车辆不足，无法覆盖山区学校"
    done = client.post(f"/procurement/tenders/{tender.pk}/award/", {**form, "once": "award"})
    assert done.status_code == 302
    award = Award.objects.select_related("contract").get(lot=lot)
    assert award.bid == other and award.departs_from_recommendation and award.awarded_by == user
    prices = ContractPrice.objects.filter(contract=award.contract)
    assert {p.unit_price for p in prices} == {Decimal("12.00")}
    page = _text(client.get(f"/procurement/tenders/{tender.pk}/award/"))
    assert award.contract.number in page and "已提示审计" in page
    assert award.contract.number in _text(client.get("/procurement/contracts/"))


def test_whoever_ranked_the_bids_does_not_award_them(district_host: str) -> None:
    tender, recommended, _other = _two_bids()
    ranker = Tender.objects.get(pk=tender.pk).evaluated_by
    assert ranker is not None
    client = signed_in(district_host, ranker)
    lot = tender.lots.get()
    response = client.post(
        f"/procurement/tenders/{tender.pk}/award/",
        {"lot": lot.pk, f"lot{lot.pk}-bid": recommended.pk},
    )
    assert response.status_code == 400
    assert not Award.objects.filter(lot=lot).exists()


# Suppliers ----------------------------------------------------------------------------------------


def test_a_supplier_is_suspended_and_reinstated_with_reasons(district_host: str) -> None:
    client, user = _officer(district_host)
    supplier = make_supplier()
    url = f"/procurement/suppliers/{supplier.pk}/"
    refused = client.post(f"{url}suspend/", {"reason": "  "})
    assert refused.status_code == 400 and _field_error(refused, "reason")
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ACTIVE
    assert client.post(f"{url}suspend/", {"reason": "蔬菜农残超标"}).status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.SUSPENDED
    assert "蔬菜农残超标" in _text(client.get(url))
    assert client.post(f"{url}reinstate/", {"reason": "整改复检合格"}).status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ACTIVE
    kinds = SupplierEvent.objects.filter(supplier=supplier, actor=user).values_list("kind")
    assert sorted(k for (k,) in kinds) == ["reinstated", "suspended"]


def test_licences_waiting_are_verified_or_rejected(district_host: str) -> None:
    client, user = _officer(district_host)
    supplier = make_supplier(qualified=False)
    declared = [
        suppliers.qualification_add(
            supplier=supplier,
            kind=kind,
            number=f"L-{supplier.pk}-{kind}",
            valid_from=timezone.localdate() - timedelta(days=10),
            expires_on=timezone.localdate() + timedelta(days=300),
            actor=officer(),
        )
        for kind in (Qualification.Kind.BUSINESS, Qualification.Kind.FOOD_BUSINESS)
    ]
    page = _text(client.get("/procurement/qualifications/"))
    assert all(q.number in page for q in declared)
    business, food = declared
    verify = client.post(f"/procurement/qualifications/{business.pk}/verify/", {"once": "v"})
    assert verify.status_code == 302
    refused = client.post(f"/procurement/qualifications/{food.pk}/reject/", {"reason": ""})
    assert refused.status_code == 400
    rejected = client.post(f"/procurement/qualifications/{food.pk}/reject/", {"reason": "编号不符"})
    assert rejected.status_code == 302
    business.refresh_from_db()
    food.refresh_from_db()
    assert business.status == Qualification.Status.VERIFIED and business.verified_by == user
    assert food.status == Qualification.Status.REJECTED and food.rejection_reason == "编号不符"
    assert business.number not in _text(client.get("/procurement/qualifications/"))


def test_a_licence_is_checked_against_the_scan_its_supplier_sent(district_host: str) -> None:
    client, _user = _officer(district_host)
    supplier = make_supplier(qualified=False)
    scanned = suppliers.qualification_add(
        supplier=supplier,
        kind=Qualification.Kind.FOOD_BUSINESS,
        number=f"JY-{supplier.pk}",
        valid_from=timezone.localdate() - timedelta(days=10),
        expires_on=timezone.localdate() + timedelta(days=300),
        scan=licence_scan(),
        actor=officer(),
    )
    url = f"/procurement/qualifications/{scanned.pk}/scan/"
    assert url in client.get("/procurement/qualifications/").content.decode()
    scan = client.get(url)
    assert (scan.status_code, scan["Content-Type"]) == (200, "image/jpeg")
    assert scan.content.startswith(b"\xff\xd8") and scan["Cache-Control"] == "private, no-store"
    # A licence declared without a scan has none to show.
    bare = supplier.qualifications.exclude(pk=scanned.pk).first() or suppliers.qualification_add(
        supplier=supplier,
        kind=Qualification.Kind.BUSINESS,
        number=f"YY-{supplier.pk}",
        valid_from=timezone.localdate() - timedelta(days=10),
        expires_on=timezone.localdate() + timedelta(days=300),
        actor=officer(),
    )
    assert client.get(f"/procurement/qualifications/{bare.pk}/scan/").status_code == 404


# Lists and home -----------------------------------------------------------------------------------


def test_the_lists_cost_the_same_whatever_their_rows(school_a: School, district_host: str) -> None:
    client, _user = _officer(district_host)
    pages = [
        "/procurement/requisitions/",
        "/procurement/tenders/",
        "/procurement/suppliers/",
        "/procurement/qualifications/",
        "/procurement/contracts/",
    ]

    def rows() -> None:
        make_requisition(school_a, [make_item(), make_item(Category.CLEANING)])
        published_tender(school=school_a)
        supplier = make_supplier(qualified=False)
        suppliers.qualification_add(
            supplier=supplier,
            kind=Qualification.Kind.BUSINESS,
            number=f"Q-{supplier.pk}",
            valid_from=timezone.localdate(),
            expires_on=timezone.localdate() + timedelta(days=365),
            actor=officer(),
        )

    rows()
    before = [queries(client, url) for url in pages]
    for _ in range(3):
        rows()
    assert [queries(client, url) for url in pages] == before


def test_the_award_page_costs_the_same_whatever_its_bids(district_host: str) -> None:
    client, _user = _officer(district_host)
    one = evaluated_tender(prices=(Decimal("10.00"),))
    three = evaluated_tender(prices=(Decimal("10.00"), Decimal("11.00"), Decimal("12.00")))
    assert queries(client, f"/procurement/tenders/{one.pk}/award/") == queries(
        client, f"/procurement/tenders/{three.pk}/award/"
    )


def test_the_home_page_counts_what_waits_for_the_officer(
    school_a: School, district_host: str
) -> None:
    client, _user = _officer(district_host)
    make_requisition(school_a, [make_item()])
    draft_tender(school=school_a)
    home = _text(client.get("/"))
    assert "待招标的采购需求" in home and "/procurement/requisitions/" in home
    assert "待发布的招标草稿" in home
