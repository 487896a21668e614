"""Tenders with sealed bids: requisitions raised and approved by schools and aggregated by the
centre; evaluators' sealing keys; publication sealing the tender k of n to its committee; bids
refused after the deadline or from suspended or unqualified suppliers; nothing about a price
readable by anyone (API, database, audit trail, logs) before the opening; the opening with
declarations and k shares, bids above the ceiling rejected; evaluation with weighted criteria,
members' scores side by side and ties by rule; awards making framework contracts; reads of what
was sealed logged; signals for auditors; one opening when two members present the k-th share at
once."""

import base64
import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from houqin.exceptions import Conflict, InvalidInput
from houqin.models import IdempotencyRecord
from houqin.roles import DISTRICT_ROLES, Role
from shared_apps.audit.models import Change, SecurityEvent
from shared_apps.procurement import sealing
from shared_apps.procurement.apps import signing_key_check
from shared_apps.procurement.models import (
    Award,
    Bid,
    BidLine,
    Category,
    CommitteeSeat,
    ContractPrice,
    Evaluator,
    Lot,
    PresentedShare,
    Requisition,
    RequisitionLine,
    Tender,
    TenderEvent,
    TenderLine,
    TenderLineSource,
)
from shared_apps.procurement.services import evaluation, evaluators, opening, suppliers
from shared_apps.procurement.services import tenders as services
from shared_apps.procurement.signals import signals
from shared_apps.procurement.tender_keys import stored
from tests.conftest import HostClient
from tests.factories import SETUP, user_with_role
from tests.matrix.tenders import (
    PASSPHRASE,
    bid_on,
    close,
    draft_tender,
    evaluated_tender,
    make_evaluator,
    make_item,
    make_requisition,
    make_supplier,
    officer,
    opened_tender,
    pinned_district_key,
    present,
    published_tender,
    seats,
    supplier_account,
)

R = Role
API = "/api/v1/procurement"
# Prices no other test data uses, to look for everywhere before the opening.
UNIT_PRICE = Decimal("987.65")
RESERVE = Decimal("55443.21")
SECRET_TEXTS = ["987.65", "98765.00", "55443.21", "000000000987.65", "000000055443.21"]


def kinds(tender: Tender) -> list[str]:
    return list(TenderEvent.objects.filter(tender=tender).values_list("kind", flat=True))


# Requisitions ----------------------------------------------------------------------------------


def test_a_school_raises_and_its_principal_approves_or_rejects(client_for, school_a) -> None:
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    item = make_item()
    raised = director.post(
        f"{API}/requisitions/",
        {
            "note": "下月食堂用米",
            "lines": [
                {
                    "item": item.code,
                    "quantity": "300.5",
                    "needed_by": (timezone.localdate() + timedelta(days=9)).isoformat(),
                }
            ],
        },
        format="json",
    )
    assert raised.status_code == 201, raised.content
    body = raised.json()
    assert body["status"] == "pending" and body["school"] == school_a.code
    assert body["lines"][0]["quantity"] == "300.500"
    # Whoever raised it cannot approve it; the principal can.
    requisition = Requisition.objects.across_schools().get(pk=body["id"])
    with pytest.raises(Conflict):
        from shared_apps.procurement.services.requisitions import requisition_approve

        requisition_approve(requisition=requisition, actor=requisition.raised_by)
    principal = client_for(school_a, R.PRINCIPAL)
    assert principal.post(f"{API}/requisitions/{body['id']}/approve/").json()["status"] == (
        "approved"
    )
    assert principal.post(f"{API}/requisitions/{body['id']}/approve/").status_code == 409
    # The district sees it once approved, and not a pending one.
    pending = make_requisition(school_a, [make_item()], status=Requisition.Status.PENDING)
    listed = client_for(None, R.PROCUREMENT_OFFICER).get(f"{API}/requisitions/?page_size=500")
    ids = {row["id"] for row in listed.json()["results"]}
    assert body["id"] in ids and pending.pk not in ids


def test_a_rejection_needs_a_reason_and_bad_lines_are_400(client_for, school_a) -> None:
    requisition = make_requisition(school_a, [make_item()], status=Requisition.Status.PENDING)
    principal = client_for(school_a, R.PRINCIPAL)
    assert principal.post(f"{API}/requisitions/{requisition.pk}/reject/", {}).status_code == 400
    rejected = principal.post(
        f"{API}/requisitions/{requisition.pk}/reject/", {"reason": "与库存重复"}, format="json"
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "与库存重复"
    manager = client_for(school_a, R.CANTEEN_MANAGER)
    item = make_item()
    for lines in (
        [],
        [{"item": "NO-SUCH", "quantity": "1", "needed_by": "2099-01-01"}],
        [{"item": item.code, "quantity": "0", "needed_by": "2099-01-01"}],
        [{"item": item.code, "quantity": "1", "needed_by": "2000-01-01"}],
        [{"item": item.code, "quantity": "1", "needed_by": "2099-01-01"}] * 2,
    ):
        response = manager.post(f"{API}/requisitions/", {"lines": lines}, format="json")
        assert response.status_code == 400, (lines, response.content)
    assert not Requisition.objects.across_schools().filter(raised_by=manager.user).exists()


def test_the_canteen_manager_sees_their_own_requisitions(client_for, school_a) -> None:
    manager = client_for(school_a, R.CANTEEN_MANAGER)
    own = make_requisition(school_a, [make_item()], raised_by=manager.user)
    other = make_requisition(school_a, [make_item()])
    rows = manager.get(f"{API}/requisitions/?page_size=500").json()["results"]
    assert [row["id"] for row in rows] == [own.pk]
    assert manager.get(f"{API}/requisitions/{other.pk}/").status_code == 404


# Aggregation and publication -------------------------------------------------------------------


def test_approved_requisitions_aggregate_into_lots_by_category(
    client_for, school_a, school_b
) -> None:
    rice, oil, soap = make_item(), make_item(), make_item(Category.CLEANING)
    first = make_requisition(school_a, [rice, soap], quantity=Decimal("100"))
    second = make_requisition(school_b, [rice, oil], quantity=Decimal("40.5"))
    pending = make_requisition(school_a, [rice], status=Requisition.Status.PENDING)
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    refused = officer_client.post(
        f"{API}/tenders/", {"title": "t", "requisitions": [first.pk, pending.pk]}, format="json"
    )
    assert refused.status_code == 400
    created = officer_client.post(
        f"{API}/tenders/",
        {"title": "秋季集中采购", "requisitions": [first.pk, second.pk]},
        format="json",
    )
    assert created.status_code == 201, created.content
    lots = {lot["category"]: lot for lot in created.json()["lots"]}
    assert [lot["number"] for lot in created.json()["lots"]] == [1, 2]
    assert set(lots) == {"food", "cleaning"}
    quantities = {line["item"]: line["quantity"] for line in lots["food"]["lines"]}
    assert quantities == {rice.code: "140.500", oil.code: "40.500"}
    assert lots["food"]["lines"][0]["specification"] == "国标一级"
    # Each requisition line is linked to the tender line it landed in, once.
    lines = RequisitionLine.objects.across_schools().filter(requisition__in=[first, second])
    assert TenderLineSource.objects.across_schools().filter(requisition_line__in=lines).count() == 4
    again = officer_client.post(
        f"{API}/tenders/", {"title": "重复", "requisitions": [second.pk]}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_tendered"
    with pytest.raises(IntegrityError), transaction.atomic():
        TenderLineSource.objects.create(
            requisition_line=lines[0], tender_line=TenderLine.objects.all()[0]
        )
    # A cancelled tender releases its lines to be tendered again.
    tender_id = created.json()["id"]
    cancelled = officer_client.post(
        f"{API}/tenders/{tender_id}/cancel/", {"reason": "需求调整"}, format="json"
    )
    assert cancelled.json()["status"] == "cancelled"
    anew = officer_client.post(
        f"{API}/tenders/", {"title": "重新招标", "requisitions": [second.pk]}, format="json"
    )
    assert anew.status_code == 201


def test_publication_needs_complete_settings_and_a_keyed_committee(client_for) -> None:
    tender = draft_tender(committee=3, threshold=2)
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    unkeyed = make_evaluator(registered=False)
    bad = services.tender_update(
        tender=tender,
        price_weight=50,
        committee=[*list(Evaluator.objects.filter(seats__tender=tender))[:1], unkeyed],
        threshold=3,
        actor=SETUP,
    )
    response = officer_client.post(f"{API}/tenders/{bad.pk}/publish/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    problems = response.json()["error"]["fields"]["tender"]
    assert any("110" in p for p in problems)  # 50 + 30 + 30
    assert any("at least 3" in p for p in problems)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.DRAFT and tender.public_key is None
    services.tender_update(
        tender=tender,
        price_weight=40,
        committee=[make_evaluator() for _ in range(4)],
        threshold=3,
        actor=SETUP,
    )
    published = officer_client.post(f"{API}/tenders/{tender.pk}/publish/")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    assert published.json()["threshold"] == 3 and len(published.json()["seats"]) == 4
    assert all(seat.sealed_share for seat in seats(tender))
    assert kinds(tender) == ["published"]
    # The tender's private key is stored only locked under the committee's secret.
    tender.refresh_from_db()
    with pytest.raises(ValueError):
        sealing.RSA.import_key(stored(tender.sealed_private_key))


def test_a_draft_with_a_past_deadline_or_ceilings_of_unknown_lots_is_400(client_for) -> None:
    tender = draft_tender()
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    for body in (
        {"deadline": "2020-01-01T00:00:00+08:00"},
        {"ceilings": {"fuel": "100.00"}},
        {"ceilings": {"nonsense": "100.00"}},
        {"criteria": [{"name": "质量", "weight": 30}, {"name": "质量", "weight": 30}]},
        {"committee": [10**12]},
    ):
        response = officer_client.patch(f"{API}/tenders/{tender.pk}/", body, format="json")
        assert response.status_code == 400, (body, response.content)


# Evaluators' keys ------------------------------------------------------------------------------


def test_an_evaluator_registers_their_own_key_and_the_passphrase_is_nowhere(
    client_for,
) -> None:
    evaluator = make_evaluator(registered=False)
    own = client_for(None, evaluator.user)
    short = own.post(f"{API}/evaluators/{evaluator.pk}/key/", {"passphrase": "too short"})
    assert short.status_code == 400
    # The officer, who may do everything else with the pool, cannot make someone's key.
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    passphrase = "我的评标密钥口令-2026年春"
    assert (
        officer_client.post(
            f"{API}/evaluators/{evaluator.pk}/key/", {"passphrase": passphrase}
        ).status_code
        == 404
    )
    made = own.post(
        f"{API}/evaluators/{evaluator.pk}/key/",
        {"passphrase": passphrase},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )
    assert made.status_code == 200 and made.json()["key_registered"] is True
    evaluator.refresh_from_db()
    assert sealing.unlock_private_key(stored(evaluator.locked_private_key), passphrase)
    assert _tables_containing([passphrase]) == []
    assert not IdempotencyRecord.objects.across_schools().filter(key="key-1").exists()


def test_a_key_is_replaced_only_while_on_no_unopened_committee(db: Any) -> None:
    tender = published_tender()
    member = seats(tender)[0].evaluator
    with pytest.raises(Conflict):
        evaluators.evaluator_register_key(
            evaluator=member, passphrase="另一个足够长的评标口令２０２６", actor=member.user
        )
    close(tender)
    for seat in seats(tender)[:2]:
        present(seat)
    evaluators.evaluator_register_key(
        evaluator=member, passphrase="另一个足够长的评标口令２０２６", actor=member.user
    )


def test_a_procurement_officer_cannot_join_the_pool(client_for) -> None:
    both = user_with_role(R.EVALUATOR)
    from shared_apps.accounts.models import Membership

    Membership.objects.create(user=both, role=R.PROCUREMENT_OFFICER.value)
    response = client_for(None, R.PROCUREMENT_OFFICER).post(
        f"{API}/evaluators/",
        {"user": both.pk, "name": "甲", "employer": "乙", "address": "丙", "phone": "1"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "separation_of_duties"


# Bids ------------------------------------------------------------------------------------------


def _bid_body(lot: Any, price: str = "9.90") -> dict[str, Any]:
    """A bid for every line of `lot`, naming the tender key's fingerprint as the notice gives it
    (a draft has none: a well-formed one stands in)."""
    return {
        "lot": lot.pk,
        "lines": [{"line": line.pk, "unit_price": price} for line in lot.lines.all()],
        "delivery_terms": "每日早6点前送达",
        "quality_statement": "附检验检疫证明",
        "key_fingerprint": Tender.objects.get(pk=lot.tender_id).key_fingerprint or "0" * 64,
    }


def test_a_supplier_bids_replaces_and_withdraws_before_the_deadline(client_for) -> None:
    tender = published_tender()
    lot = tender.lots.get()
    account = supplier_account(make_supplier())
    supplier = client_for(None, account)
    first = supplier.post(f"{API}/bids/", _bid_body(lot), format="json")
    assert first.status_code == 201, first.content
    assert set(first.json()) == {
        "id",
        "tender",
        "tender_number",
        "lot",
        "lot_number",
        "supplier",
        "supplier_name",
        "status",
        "submitted_at",
        "key_fingerprint",
    }
    assert first.json()["key_fingerprint"] == tender.key_fingerprint
    sealed_before = bytes(Bid.objects.get(public_id=first.json()["id"]).sealed)
    second = supplier.post(f"{API}/bids/", _bid_body(lot, "8.80"), format="json")
    assert second.json()["id"] == first.json()["id"]
    assert bytes(Bid.objects.get(public_id=first.json()["id"]).sealed) != sealed_before
    assert Bid.objects.filter(lot=lot).count() == 1
    bid = Bid.objects.get(lot=lot)
    assert first.json()["id"] == str(bid.public_id)
    # Another supplier sees nothing of it.
    other = client_for(None, supplier_account(make_supplier()))
    assert other.get(f"{API}/bids/{first.json()['id']}/").status_code == 404
    assert other.get(f"{API}/bids/").json()["results"] == []
    assert other.post(f"{API}/bids/{first.json()['id']}/withdraw/").status_code == 404
    withdrawn = supplier.post(f"{API}/bids/{first.json()['id']}/withdraw/")
    assert withdrawn.json()["status"] == "withdrawn"
    assert bytes(Bid.objects.get(public_id=first.json()["id"]).sealed) == b""


def test_a_bid_after_the_deadline_is_refused_and_nothing_is_saved(client_for) -> None:
    tender = published_tender()
    lot = tender.lots.get()
    account = supplier_account(make_supplier())
    early = bid_on(lot, actor=account)
    close(tender)
    supplier = client_for(None, account)
    late = supplier.post(f"{API}/bids/", _bid_body(lot, "1.00"), format="json")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "deadline_passed"
    assert supplier.post(f"{API}/bids/{early.public_id}/withdraw/").status_code == 409
    early.refresh_from_db()
    assert early.status == Bid.Status.SEALED
    assert Bid.objects.filter(lot=lot).count() == 1


def test_suspended_or_unqualified_suppliers_cannot_bid(client_for) -> None:
    tender = published_tender(categories=(Category.FOOD, Category.CLEANING))
    food, cleaning = tender.lots.order_by("number")
    cases = {
        "supplier_suspended": make_supplier(status="suspended", status_reason="评分连续不合格"),
        "not_qualified": make_supplier(food_licence=False),
    }
    expiring = make_supplier(expires_on=timezone.localdate(tender.deadline) - timedelta(days=1))
    for code, supplier in [*cases.items(), ("not_qualified", expiring)]:
        response = client_for(None, supplier_account(supplier)).post(
            f"{API}/bids/", _bid_body(food), format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 409, response.content
        error = response.json()["error"]
        assert error["code"] == code
        assert ("评分连续不合格" if code == "supplier_suspended" else "licence") in error["message"]
    # A cleaning lot needs no food licence.
    no_food = client_for(None, supplier_account(cases["not_qualified"]))
    assert no_food.post(f"{API}/bids/", _bid_body(cleaning), format="json").status_code == 201
    assert Bid.objects.filter(lot=food).count() == 0


def test_a_made_up_licence_counts_only_once_the_officer_has_verified_it(client_for) -> None:
    """The attack: a supplier refused for want of a food licence declares one it made up, and
    bids. It stays refused until the officer has checked the licence against its document."""
    tender = published_tender()
    lot = tender.lots.get()
    account = supplier_account(make_supplier(food_licence=False))
    bidder = client_for(None, account)
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)

    def bid() -> Any:
        return bidder.post(f"{API}/bids/", _bid_body(lot), format="json")

    assert bid().json()["error"]["code"] == "not_qualified"
    declared = bidder.post(
        f"{API}/qualifications/",
        {
            "kind": "food_business",
            "number": "JY15301249999999",
            "issued_by": "富民县市场监督管理局",
            "valid_from": "2025-01-01",
            "expires_on": "2030-12-31",
            # Whatever it says of itself, it does not verify its own licence.
            "status": "verified",
            "verified_by": officer().pk,
            "verified_at": timezone.now().isoformat(),
        },
        format="json",
    )
    assert declared.status_code == 201, declared.content
    licence = declared.json()
    assert (licence["status"], licence["verified_by"], licence["verified_at"]) == (
        "pending",
        None,
        None,
    )
    refused = bid()
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_qualified"
    # Nor can it verify it through the officer's endpoint.
    path = f"{API}/qualifications/{licence['id']}"
    assert bidder.post(f"{path}/verify/").status_code == 404
    # The officer finds it does not match the document: rejected, and the supplier reads why.
    assert officer_client.post(f"{path}/reject/", {"reason": ""}).status_code == 400
    rejected = officer_client.post(f"{path}/reject/", {"reason": "许可证编号在监管平台查无此证"})
    assert rejected.status_code == 200, rejected.content
    assert bidder.get(f"{path}/").json()["rejection_reason"] == "许可证编号在监管平台查无此证"
    assert bid().status_code == 409
    # Checked again, against the real document this time: verified, and the bid is accepted.
    verified = officer_client.post(f"{path}/verify/")
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "verified" and verified.json()["verified_by"]
    again = officer_client.post(f"{path}/verify/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_verified"
    assert bid().status_code == 201
    assert Bid.objects.filter(lot=lot, supplier__users__user=account).count() == 1


def test_an_award_needs_the_winners_licences_verified_and_in_force(client_for) -> None:
    tender = evaluated_tender()
    lot = tender.lots.get()
    winner = Bid.objects.get(lot=lot)
    licence = winner.supplier.qualifications.get(kind="food_business")
    # The issuer withdrew the food licence since the bid: the officer rejects it.
    suppliers.qualification_reject(
        qualification=licence, reason="已被发证机关注销", actor=officer()
    )
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    body = {"lot": lot.pk, "justification": "仅一家有效投标，经核实价格合理"}
    refused = officer_client.post(f"{API}/tenders/{tender.pk}/award/", body, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_qualified"
    assert not Award.objects.filter(lot=lot).exists()
    suppliers.qualification_verify(qualification=licence, actor=officer())
    awarded = officer_client.post(f"{API}/tenders/{tender.pk}/award/", body, format="json")
    assert awarded.status_code == 201, awarded.content


def test_a_bid_prices_exactly_the_lots_lines(client_for) -> None:
    tender = published_tender(items_per_lot=3)
    lot = tender.lots.get()
    supplier = client_for(None, supplier_account(make_supplier()))
    body = _bid_body(lot)
    for lines in (body["lines"][:2], [*body["lines"], {"line": 10**12, "unit_price": "1.00"}]):
        response = supplier.post(f"{API}/bids/", {**body, "lines": lines}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "lines_mismatch"
    for price in ("0", "-1", "1.001", "1e20"):
        response = supplier.post(f"{API}/bids/", _bid_body(lot, price), format="json")
        assert response.status_code == 400, price
    assert not Bid.objects.filter(lot=lot).exists()


def test_officers_and_draft_lots_take_no_bids(client_for) -> None:
    draft = draft_tender()
    supplier = client_for(None, supplier_account(make_supplier()))
    assert supplier.post(
        f"{API}/bids/", _bid_body(draft.lots.get()), format="json"
    ).status_code == (400)
    published = published_tender()
    response = client_for(None, R.PROCUREMENT_OFFICER).post(
        f"{API}/bids/", _bid_body(published.lots.get()), format="json"
    )
    # The officer holds no bidding permission at all.
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    # The supplier role without a company behind it bids for nobody.
    orphan = client_for(None, R.SUPPLIER).post(
        f"{API}/bids/", _bid_body(published.lots.get()), format="json"
    )
    assert orphan.status_code == 403
    assert orphan.json()["error"]["code"] == "not_a_supplier"


# The tender's key, signed ---------------------------------------------------------------------


def _notice_checks_out(notice: dict[str, Any]) -> bool:
    """A bidder's client: the district's signature (with the key the bidder pinned) vouches for
    the fingerprint, and the fingerprint is the key's."""
    statement = sealing.key_statement(
        tender_id=notice["id"], number=notice["number"], fingerprint=notice["key_fingerprint"]
    )
    district = sealing.signing_key(base64.b64decode(settings.PROCUREMENT_SIGNING_KEY))
    assert notice["district_key"] == pinned_district_key()
    return sealing.signature_valid(
        district, statement, base64.b64decode(notice["key_signature"])
    ) and notice["key_fingerprint"] == sealing.key_fingerprint(notice["public_key"].encode())


def test_a_published_notice_carries_its_key_signed_by_the_district(client_for) -> None:
    tender = published_tender()
    notice = client_for(None, supplier_account(make_supplier())).get(f"{API}/notices/{tender.pk}/")
    assert _notice_checks_out(notice.json())
    # The signature names this tender: it vouches for no other tender's key.
    other = published_tender()
    assert not sealing.signature_valid(
        sealing.signing_key(base64.b64decode(settings.PROCUREMENT_SIGNING_KEY)),
        sealing.key_statement(
            tender_id=tender.pk, number=tender.number, fingerprint=other.key_fingerprint
        ),
        stored(other.key_signature),
    )
    draft = client_for(None, R.PROCUREMENT_OFFICER).get(f"{API}/tenders/{draft_tender().pk}/")
    assert (draft.json()["key_fingerprint"], draft.json()["key_signature"]) == ("", None)


def test_a_tender_key_swapped_in_the_database_seals_nothing(client_for) -> None:
    """The attack: with write access to the database (not to the web servers' settings), swap
    the tender's public key for one's own before a supplier bids, so as to read the bid and seal
    it again to the real key. Every way of swapping is refused, and nothing is sealed."""
    tender = published_tender()
    lot = tender.lots.get()
    real = {
        field: getattr(tender, field)
        for field in ("public_key", "key_fingerprint", "key_signature")
    }
    bidder = client_for(None, supplier_account(make_supplier()))
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    body = _bid_body(lot)
    assert body["key_fingerprint"] == _notice(bidder, tender)["key_fingerprint"]
    attacker = sealing.new_key_pair(1024)
    attackers_key = sealing.public_pem(attacker)
    other = published_tender()
    swaps: dict[str, dict[str, Any]] = {
        "the key alone": {"public_key": attackers_key},
        "the key and its fingerprint": {
            "public_key": attackers_key,
            "key_fingerprint": sealing.key_fingerprint(attackers_key),
        },
        "another tender's signed key": {
            "public_key": other.public_key,
            "key_fingerprint": other.key_fingerprint,
            "key_signature": other.key_signature,
        },
    }
    for swap, values in swaps.items():
        Tender.objects.filter(pk=tender.pk).update(**values)
        # The bidder's client, reading the notice, sees that it does not check out ...
        assert not _notice_checks_out(_notice(bidder, tender)), swap
        # ... and the service refuses the bid, whatever fingerprint it names.
        for named in (body["key_fingerprint"], Tender.objects.get(pk=tender.pk).key_fingerprint):
            response = bidder.post(
                f"{API}/bids/", {**body, "key_fingerprint": named}, format="json"
            )
            assert response.status_code == 409, (swap, response.content)
            assert response.json()["error"]["code"] == "tender_key_unverified"
        reserve = officer_client.post(
            f"{API}/tenders/{tender.pk}/reserve/",
            {"reserve_prices": [{"lot": lot.pk, "amount": "1000.00"}]},
            format="json",
        )
        assert reserve.status_code == 409, swap
        assert reserve.json()["error"]["code"] == "tender_key_unverified"
    assert not Bid.objects.filter(lot=lot).exists()
    lot.refresh_from_db()
    assert lot.sealed_reserve is None
    # The key restored, the bid is sealed to it: the committee opens it, the attacker cannot.
    Tender.objects.filter(pk=tender.pk).update(**real)
    accepted = bidder.post(f"{API}/bids/", body, format="json")
    assert accepted.status_code == 201, accepted.content
    bid = Bid.objects.get(lot=lot)
    with pytest.raises(sealing.Tampered):
        sealing.unseal(attacker, stored(bid.sealed))
    close(tender)
    for seat in seats(tender)[: tender.threshold]:
        present(seat)
    bid.refresh_from_db()
    assert bid.status == Bid.Status.VALID and bid.total == Decimal("9.90") * 200


def test_a_bid_naming_another_key_than_the_tenders_is_refused(client_for) -> None:
    tender = published_tender()
    lot = tender.lots.get()
    bidder = client_for(None, supplier_account(make_supplier()))
    for named in (published_tender().key_fingerprint, "0" * 64):
        response = bidder.post(
            f"{API}/bids/", {**_bid_body(lot), "key_fingerprint": named}, format="json"
        )
        assert response.status_code == 409, response.content
        assert response.json()["error"]["code"] == "key_mismatch"
        assert tender.key_fingerprint in response.json()["error"]["message"]
    for malformed in ("", "xyz", "0" * 63, None):
        response = bidder.post(
            f"{API}/bids/", {**_bid_body(lot), "key_fingerprint": malformed}, format="json"
        )
        assert response.status_code == 400
        assert "key_fingerprint" in response.json()["error"]["fields"]
    missing = {k: v for k, v in _bid_body(lot).items() if k != "key_fingerprint"}
    assert bidder.post(f"{API}/bids/", missing, format="json").status_code == 400
    assert not Bid.objects.filter(lot=lot).exists()
    upper = {**_bid_body(lot), "key_fingerprint": tender.key_fingerprint.upper()}
    assert bidder.post(f"{API}/bids/", upper, format="json").status_code == 201


def test_without_the_districts_signing_key_nothing_starts_or_is_published(
    db: Any, settings: Any
) -> None:
    tender = draft_tender()
    assert signing_key_check(None) == []
    for wrong in ("", base64.b64encode(b"short").decode(), "not base64!"):
        settings.PROCUREMENT_SIGNING_KEY = wrong
        assert [error.id for error in signing_key_check(None)] == ["procurement.E001"]
        with pytest.raises(ImproperlyConfigured):
            services.tender_publish(tender=tender, actor=officer())
    tender.refresh_from_db()
    assert tender.status == Tender.Status.DRAFT


def _notice(client: HostClient, tender: Tender) -> dict[str, Any]:
    response = client.get(f"{API}/notices/{tender.pk}/")
    assert response.status_code == 200
    return dict(response.json())


# Sealed means sealed ---------------------------------------------------------------------------


def _tables_containing(texts: list[str]) -> list[tuple[str, str]]:
    """(table, text) for every table of the public schema, the audit trail included, one of
    whose rows contains one of `texts` in any column (bytea as hex, JSON as text)."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        for (table,) in cursor.fetchall():
            for text in texts:
                cursor.execute(
                    f'SELECT 1 FROM public."{table}" AS r WHERE r::text LIKE %s LIMIT 1',
                    [f"%{text}%"],
                )
                if cursor.fetchone():
                    found.append((table, text))
    return found


def _sealed_tender() -> tuple[Tender, Any, Bid]:
    """A published tender with a reserve price and a bid at UNIT_PRICE, through the API."""
    tender = published_tender(items_per_lot=1)
    lot = tender.lots.get()
    officer_client = HostClient("localhost", officer())
    reserved = officer_client.post(
        f"{API}/tenders/{tender.pk}/reserve/",
        {"reserve_prices": [{"lot": lot.pk, "amount": str(RESERVE)}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="reserve-1",
    )
    assert reserved.status_code == 200, reserved.content
    account = supplier_account(make_supplier())
    submitted = HostClient("localhost", account).post(
        f"{API}/bids/",
        _bid_body(lot, str(UNIT_PRICE)),
        format="json",
        HTTP_IDEMPOTENCY_KEY="bid-1",
    )
    assert submitted.status_code == 201
    return tender, account, Bid.objects.get(public_id=submitted.json()["id"])


def test_before_the_opening_no_price_is_in_any_table_the_audit_trail_or_the_logs(
    db: Any, caplog: Any
) -> None:
    with caplog.at_level(logging.DEBUG):
        tender, _account, bid = _sealed_tender()
        close(tender)
        for seat in seats(tender)[:1]:
            present(seat)
    assert _tables_containing(SECRET_TEXTS) == []
    # Neither the reserve price nor the bid left an idempotency record (a hash of a price).
    assert (
        not IdempotencyRecord.objects.across_schools()
        .filter(key__in=["reserve-1", "bid-1"])
        .exists()
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [text for text in SECRET_TEXTS if text in logged]
    # Once opened, the plaintext rows hold them.
    present(seats(tender)[1])
    bid.refresh_from_db()
    assert bid.total == UNIT_PRICE * 100
    assert ("procurement_bidline", "987.65") in _tables_containing(["987.65"])


def test_decrypting_needs_k_shares_of_what_is_stored(db: Any) -> None:
    """With every stored column and every member's key (but no more than k-1 of them), the
    tender's key stays locked; k open it."""
    tender, _account, bid = _sealed_tender()
    tender.refresh_from_db()
    shares = []
    for seat in seats(tender):
        member_key = sealing.unlock_private_key(
            stored(seat.evaluator.locked_private_key), PASSPHRASE
        )
        shares.append(sealing.open_share(member_key, stored(seat.sealed_share)))
    with pytest.raises(sealing.WrongShares):
        sealing.recover_tender_key(
            shares[: tender.threshold - 1], stored(tender.sealed_private_key)
        )
    key = sealing.recover_tender_key(shares[: tender.threshold], stored(tender.sealed_private_key))
    assert "000000000987.65" in sealing.unseal(key, stored(bid.sealed)).decode()


def _everything_visible(client: HostClient, tender: Tender, bid: Bid) -> str:
    paths = [
        f"{API}/tenders/",
        f"{API}/tenders/{tender.pk}/",
        f"{API}/tenders/{tender.pk}/bids/",
        f"{API}/tenders/{tender.pk}/evaluation/",
        f"{API}/notices/",
        f"{API}/notices/{tender.pk}/",
        f"{API}/bids/",
        f"{API}/bids/{bid.public_id}/",
        f"{API}/seats/",
        f"{API}/signals/",
        "/api/v1/audit/changes/?page_size=500",
        "/api/v1/audit/security-events/?page_size=500",
    ]
    return "\n".join(client.get(path).content.decode() for path in paths)


@pytest.mark.slow
def test_no_role_sees_a_price_through_the_api_before_the_opening(db: Any) -> None:
    tender, account, bid = _sealed_tender()
    close(tender)
    present(seats(tender)[0])
    callers = [user_with_role(role) for role in sorted(DISTRICT_ROLES)]
    callers += [account, seats(tender)[0].evaluator.user]
    for user in callers:
        seen = _everything_visible(HostClient("localhost", user), tender, bid)
        assert not [text for text in SECRET_TEXTS if text in seen], user.username
    # The bids are sealed, and say so.
    response = HostClient("localhost", officer()).get(f"{API}/tenders/{tender.pk}/bids/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "sealed"


# Opening ---------------------------------------------------------------------------------------


def test_an_opening_attempted_early_or_with_too_few_shares_is_refused(client_for) -> None:
    tender = published_tender(committee=3, threshold=2)
    bid_on(tender.lots.get())
    member = seats(tender)[0]
    member_client = client_for(None, member.evaluator.user)
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    early = officer_client.post(f"{API}/tenders/{tender.pk}/open/")
    assert early.status_code == 409 and early.json()["error"]["code"] == "too_early"
    declared = member_client.post(f"{API}/seats/{member.pk}/declare/", {"conflict": False})
    assert declared.status_code == 409 and declared.json()["error"]["code"] == "too_early"
    close(tender)
    # Presenting needs a declaration first; a conflict needs a note.
    undeclared = member_client.post(f"{API}/seats/{member.pk}/present/", {"passphrase": PASSPHRASE})
    assert undeclared.json()["error"]["code"] == "not_declared"
    assert (
        member_client.post(f"{API}/seats/{member.pk}/declare/", {"conflict": True}).status_code
        == 400
    )
    member_client.post(f"{API}/seats/{member.pk}/declare/", {"conflict": False, "note": "无"})
    wrong = member_client.post(
        f"{API}/seats/{member.pk}/present/", {"passphrase": "not my passphrase at all"}
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_passphrase"
    member.refresh_from_db()
    assert member.presented_at is None and not PresentedShare.objects.filter(seat=member).exists()
    presented = member_client.post(f"{API}/seats/{member.pk}/present/", {"passphrase": PASSPHRASE})
    assert presented.status_code == 200 and presented.json()["tender_status"] == "closed"
    again = member_client.post(f"{API}/seats/{member.pk}/present/", {"passphrase": PASSPHRASE})
    assert again.json()["error"]["code"] == "already_presented"
    too_few = officer_client.post(f"{API}/tenders/{tender.pk}/open/", HTTP_ACCEPT_LANGUAGE="en")
    assert too_few.status_code == 409
    assert too_few.json()["error"]["code"] == "too_few_shares"
    # The presented share waits for the opening, but never in the audit trail.
    kept = Change.objects.across_schools().get(
        table_name="procurement_presentedshare", after__seat_id=member.pk
    )
    assert kept.after is not None and "share" not in kept.after
    assert "1 of 2 shares presented" in too_few.json()["error"]["message"]
    # Nobody else acts in a member's seat.
    other = seats(tender)[1]
    assert (
        officer_client.post(f"{API}/seats/{other.pk}/declare/", {"conflict": False}).status_code
        == 404
    )
    assert (
        member_client.post(f"{API}/seats/{other.pk}/declare/", {"conflict": False}).status_code
        == 404
    )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CLOSED
    assert kinds(tender) == ["published", "declared", "share_presented"]


def test_wrong_shares_open_nothing(db: Any) -> None:
    tender = published_tender(committee=3, threshold=2)
    bid_on(tender.lots.get())
    close(tender)
    first, second, _third = seats(tender)
    present(first)
    present(second, open_when_ready=False)
    PresentedShare.objects.filter(seat=second).update(share=bytes(16))
    with pytest.raises(Conflict) as refused:
        opening.tender_open(tender=tender, actor=officer())
    assert refused.value.code == "wrong_shares"
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CLOSED
    assert PresentedShare.objects.filter(seat__tender=tender).count() == 2
    assert not BidLine.objects.filter(bid__lot__tender=tender).exists()


def test_the_opening_decrypts_rejects_over_the_ceiling_and_flags_few_bids(client_for) -> None:
    tender = published_tender(ceiling=Decimal("2600.00"), items_per_lot=2)
    lot = tender.lots.get()
    services.tender_seal_reserve(tender=tender, reserves={lot.pk: Decimal("2300.00")}, actor=SETUP)
    under = bid_on(lot, [Decimal("10.00"), Decimal("12.00")])  # 2200.00
    over = bid_on(lot, Decimal("12.51"))  # 2502.00
    # Submitting refuses a bid above the ceiling; the opening checks again, whatever the table
    # says by then (here: a ceiling lowered behind the services' back).
    Lot.objects.filter(pk=lot.pk).update(ceiling=Decimal("2500.00"))
    lowball = bid_on(lot, Decimal("0.01"))  # 2.00: there is no floor price
    withdrawn = bid_on(lot, Decimal("1.00"))
    withdrawn.status = Bid.Status.WITHDRAWN
    withdrawn.save()
    close(tender)
    for seat in seats(tender)[:2]:
        present(seat, open_when_ready=False)
    opened = client_for(None, R.PROCUREMENT_OFFICER).post(f"{API}/tenders/{tender.pk}/open/")
    assert opened.status_code == 200, opened.content
    assert opened.json()["status"] == "opened"
    under.refresh_from_db()
    over.refresh_from_db()
    lot.refresh_from_db()
    assert (under.status, under.total) == (Bid.Status.VALID, Decimal("2200.00"))
    assert under.delivery_terms == "次日达，冷链配送"
    assert over.status == Bid.Status.REJECTED and "2502.00" in over.rejection_reason
    lowball.refresh_from_db()
    assert (lowball.status, lowball.total) == (Bid.Status.VALID, Decimal("2.00"))
    assert lot.reserve_price == Decimal("2300.00") and lot.few_bids
    assert sorted(BidLine.objects.filter(bid=under).values_list("amount", flat=True)) == [
        Decimal("1000.00"),
        Decimal("1200.00"),
    ]
    assert not PresentedShare.objects.filter(seat__tender=tender).exists()
    assert kinds(tender)[-3:] == ["opened", "bid_rejected", "few_bids"]
    # Every step is in the audit trail too, with its actor.
    trail = Change.objects.across_schools().filter(
        table_name="procurement_tenderevent", operation="INSERT"
    )
    opened_row = trail.filter(after__tender_id=tender.pk, after__kind="opened").get()
    assert opened_row.actor_id is not None
    assert (
        client_for(None, R.PROCUREMENT_OFFICER).post(f"{API}/tenders/{tender.pk}/open/").status_code
        == 409
    )


def test_after_the_opening_reads_of_what_was_sealed_are_logged(client_for) -> None:
    tender, account, bid = _sealed_tender()
    close(tender)
    for seat in seats(tender)[:2]:
        present(seat)
    member = client_for(None, seats(tender)[0].evaluator.user)
    bids_read = member.get(f"{API}/tenders/{tender.pk}/bids/")
    assert bids_read.status_code == 200
    lot = bids_read.json()[0]
    assert lot["reserve_price"] == str(RESERVE)
    assert lot["bids"][0]["lines"][0]["unit_price"] == str(UNIT_PRICE)
    event = SecurityEvent.objects.across_schools().filter(kind="sealed_item_read").latest("id")
    assert event.user_id == member.user.pk
    assert event.detail["bids"] == [str(bid.public_id)]
    assert event.detail["reserve_prices"] == [lot["id"]]
    # A member of another committee sees nothing of it; the auditors see the read.
    outsider = client_for(None, make_evaluator().user)
    assert outsider.get(f"{API}/tenders/{tender.pk}/bids/").status_code == 404
    auditor = client_for(None, R.AUDITOR)
    events = auditor.get("/api/v1/audit/security-events/?kind=sealed_item_read&page_size=500")
    assert event.pk in {row["id"] for row in events.json()["results"]}
    # Bid metadata carries no contents, even opened.
    mine = client_for(None, account).get(f"{API}/bids/{bid.public_id}/").json()
    assert "total" not in mine and mine["status"] == "valid"


# Concurrency -----------------------------------------------------------------------------------


def test_two_members_presenting_the_kth_share_at_once_open_exactly_once(committed) -> None:
    from tests.concurrency import at_once

    tender = published_tender(committee=3, threshold=2)
    made_tender = tender.pk
    bid_on(tender.lots.get())
    bid_on(tender.lots.get(), Decimal("11.00"))
    close(tender)
    first, second, third = seats(tender)
    present(first)
    committed.append(lambda: _discard_tender(made_tender))
    for seat in (second, third):
        opening.seat_declare(seat=seat, conflict=False, note="", actor=seat.evaluator.user)
    clients = [HostClient("localhost", s.evaluator.user) for s in (second, third)]
    ids = [second.pk, third.pk]

    def present_share(i: int) -> Any:
        return clients[i].post(
            f"{API}/seats/{ids[i]}/present/", {"passphrase": PASSPHRASE}, format="json"
        )

    responses = at_once(2, present_share)
    assert all(not isinstance(r, BaseException) for r in responses), responses
    codes = sorted(r.status_code for r in responses)  # type: ignore[union-attr]
    assert codes == [200, 409], [r.content for r in responses]  # type: ignore[union-attr]
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    assert TenderEvent.objects.filter(tender=tender, kind="opened").count() == 1
    assert BidLine.objects.filter(bid__lot__tender=tender).count() == 4
    assert not PresentedShare.objects.filter(seat__tender=tender).exists()


def _discard_tender(tender_id: int) -> None:
    """Remove what a committed test made of a tender (the trail keeps its record)."""
    from shared_apps.procurement.models import Score

    lots = Lot.objects.filter(tender_id=tender_id)
    TenderEvent.objects.filter(tender_id=tender_id).delete()
    Lot.objects.filter(tender_id=tender_id).update(recommended_bid=None)
    Score.objects.filter(bid__lot__in=lots).delete()
    BidLine.objects.filter(bid__lot__in=lots).delete()
    Bid.objects.filter(lot__in=lots).delete()
    PresentedShare.objects.filter(seat__tender_id=tender_id).delete()
    CommitteeSeat.objects.filter(tender_id=tender_id).delete()
    TenderLineSource.objects.across_schools().filter(tender_line__lot__in=lots).delete()
    TenderLine.objects.filter(lot__in=lots).delete()
    lots.delete()
    Tender.objects.filter(pk=tender_id).delete()


# Evaluation ------------------------------------------------------------------------------------


def test_scores_side_by_side_weighted_ranking_and_recommendation(client_for) -> None:
    tender = opened_tender(
        (Decimal("10.00"), Decimal("12.50")),
        committee=3,
        threshold=3,
        criteria=(("质量", 40, 10), ("服务", 20, 5)),
        price_weight=40,
    )
    cheap, dear = Bid.objects.filter(lot__tender=tender).order_by("total")
    by_name = {c.name: c for c in tender.criteria.all()}
    quality, service = by_name["质量"], by_name["服务"]
    members = seats(tender)
    a, b = str(cheap.public_id), str(dear.public_id)
    given = {  # member index -> {bid: (quality, service)}
        1: {a: (6, 3), b: (9, 5)},
        2: {a: (7, 3), b: (10, 5)},
        3: {a: (8, 4), b: (8, 4)},
    }
    for seat in members:
        client = client_for(None, seat.evaluator.user)
        body = {
            "scores": [
                {"bid": bid, "criterion": criterion.pk, "score": str(score)}
                for bid, (q, s) in given[seat.index].items()
                for criterion, score in ((quality, q), (service, s))
            ]
        }
        assert (
            client.post(f"{API}/tenders/{tender.pk}/scores/", body, format="json").status_code
            == 200
        )
    evaluated = client_for(None, R.PROCUREMENT_OFFICER).post(f"{API}/tenders/{tender.pk}/evaluate/")
    assert evaluated.json()["status"] == "evaluated"
    cheap.refresh_from_db()
    dear.refresh_from_db()
    # Price: 40 x 2000 / 2000 = 40; 40 x 2000 / 2500 = 32.
    assert (cheap.price_score, dear.price_score) == (Decimal("40.00"), Decimal("32.00"))
    # Quality: mean over members of (q/10 x 40 + s/5 x 20).
    assert cheap.quality_score == Decimal("41.33")  # (24+12 + 28+12 + 32+16) / 3
    assert dear.quality_score == Decimal("54.67")  # (36+20 + 40+20 + 32+16) / 3
    assert (dear.score, dear.rank, cheap.score, cheap.rank) == (
        Decimal("86.67"),
        1,
        Decimal("81.33"),
        2,
    )
    lots = (
        client_for(None, members[0].evaluator.user)
        .get(f"{API}/tenders/{tender.pk}/evaluation/")
        .json()
    )
    assert lots[0]["recommended_bid"] == b
    top = lots[0]["bids"][0]
    assert top["id"] == b
    assert [m["seat"] for m in top["members"]] == [1, 2, 3]
    assert top["members"][0]["scores"] == {"质量": "9.00", "服务": "5.00"}
    assert top["members"][0]["weighted"] == "56.00"


def test_scores_are_checked_and_evaluation_waits_for_all_of_them(db: Any) -> None:
    tender = opened_tender((Decimal("10.00"),))
    bid = Bid.objects.get(lot__tender=tender)
    member = seats(tender)[0]
    criterion = tender.criteria.all()[0]
    with pytest.raises(InvalidInput):
        evaluation.scores_record(
            tender=tender,
            scores=[evaluation.GivenScore(bid.pk, criterion.pk, Decimal("10.5"))],
            actor=member.evaluator.user,
        )
    undeclared = seats(tender)[2]
    with pytest.raises(Conflict) as refused:
        evaluation.scores_record(
            tender=tender,
            scores=[evaluation.GivenScore(bid.pk, criterion.pk, Decimal("5"))],
            actor=undeclared.evaluator.user,
        )
    assert refused.value.code == "not_declared"
    evaluation.scores_record(
        tender=tender,
        scores=[evaluation.GivenScore(bid.pk, criterion.pk, Decimal("5"))],
        actor=member.evaluator.user,
    )
    with pytest.raises(Conflict) as waiting:
        evaluation.tender_evaluate(tender=tender, actor=officer())
    assert waiting.value.code == "scores_missing"


def test_a_member_with_a_conflict_presents_but_does_not_score(client_for) -> None:
    tender = published_tender(committee=3, threshold=2)
    lot = tender.lots.get()
    bid_on(lot, Decimal("10.00"))
    close(tender)
    conflicted, clean, _third = seats(tender)
    present(conflicted, conflict=True)
    present(clean)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    bid = Bid.objects.get(lot=lot)
    criteria = list(tender.criteria.all())
    response = client_for(None, conflicted.evaluator.user).post(
        f"{API}/tenders/{tender.pk}/scores/",
        {
            "scores": [
                {"bid": str(bid.public_id), "criterion": c.pk, "score": "10"} for c in criteria
            ]
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict_of_interest"
    evaluation.scores_record(
        tender=tender,
        scores=[evaluation.GivenScore(bid.pk, c.pk, Decimal("5")) for c in criteria],
        actor=clean.evaluator.user,
    )
    evaluation.tender_evaluate(tender=tender, actor=officer())
    bid.refresh_from_db()
    assert bid.quality_score == Decimal("30.00")  # only the clean member: 5/10 x 30 x 2


def _two_bid_tender(first: Decimal, second: Decimal, scores: tuple[int, int]) -> tuple[Bid, Bid]:
    """An evaluated tender of one line of quantity 1: bids at `first` then `second`; every
    member gives `scores` on the single quality criterion (weight 60 of 10)."""
    tender = published_tender(
        items_per_lot=1, quantity=Decimal("1"), criteria=(("质量", 60, 10),), price_weight=40
    )
    lot = tender.lots.get()
    a = bid_on(lot, first)
    b = bid_on(lot, second)
    Bid.objects.filter(pk=b.pk).update(submitted_at=a.submitted_at + timedelta(seconds=5))
    close(tender)
    one, two, three = seats(tender)
    present(one)
    present(two)
    # A member may declare after the opening, to score.
    opening.seat_declare(seat=three, conflict=False, note="", actor=three.evaluator.user)
    criterion = tender.criteria.get()
    for seat in seats(tender):
        evaluation.scores_record(
            tender=tender,
            scores=[
                evaluation.GivenScore(a.pk, criterion.pk, Decimal(scores[0])),
                evaluation.GivenScore(b.pk, criterion.pk, Decimal(scores[1])),
            ],
            actor=seat.evaluator.user,
        )
    evaluation.tender_evaluate(tender=tender, actor=officer())
    a.refresh_from_db()
    b.refresh_from_db()
    return a, b


def test_ties_go_to_quality_then_price_then_the_earlier_bid(db: Any) -> None:
    # 40 + 48 = 88 against 34.00 + 54 = 88: the higher quality wins.
    a, b = _two_bid_tender(Decimal("1000.00"), Decimal("1176.47"), (8, 9))
    assert a.score == b.score == Decimal("88.00")
    assert (a.rank, b.rank) == (2, 1)
    # Same quality, price scores equal to the cent (40.00 each): the lower price wins.
    a, b = _two_bid_tender(Decimal("1000.01"), Decimal("1000.00"), (8, 8))
    assert (a.score, a.price_score) == (b.score, b.price_score)
    assert (a.rank, b.rank) == (2, 1)
    # All equal: the earlier submission wins.
    a, b = _two_bid_tender(Decimal("1000.00"), Decimal("1000.00"), (8, 8))
    assert (a.rank, b.rank) == (1, 2)


# Award -----------------------------------------------------------------------------------------


def test_the_award_makes_a_framework_contract_from_the_winning_bid(client_for) -> None:
    tender = evaluated_tender((Decimal("9.00"), Decimal("10.00"), Decimal("11.00")))
    lot = tender.lots.get()
    winner = lot.recommended_bid
    assert winner is not None and winner.total == Decimal("1800.00")
    officer_client = client_for(None, R.PROCUREMENT_OFFICER)
    awarded = officer_client.post(
        f"{API}/tenders/{tender.pk}/award/", {"lot": lot.pk}, format="json"
    )
    assert awarded.status_code == 201, awarded.content
    assert awarded.json()["tender_status"] == "awarded"
    award = Award.objects.get(lot=lot)
    contract = award.contract
    assert contract.number == f"{tender.number}-1" == awarded.json()["contract"]
    assert contract.supplier_id == winner.supplier_id and contract.category == "food"
    today = timezone.localdate()
    assert contract.valid_from == today
    assert contract.valid_to == date(today.year + 1, today.month, today.day) - timedelta(days=1)
    prices = dict(
        ContractPrice.objects.filter(contract=contract).values_list("item_id", "unit_price")
    )
    assert prices == {line.item_id: Decimal("9.00") for line in lot.lines.all()}
    again = officer_client.post(f"{API}/tenders/{tender.pk}/award/", {"lot": lot.pk}, format="json")
    assert again.status_code == 409


def test_another_bid_than_the_recommendation_needs_a_reason_and_is_flagged(db: Any) -> None:
    tender = evaluated_tender((Decimal("9.00"), Decimal("10.00"), Decimal("11.00")))
    lot = tender.lots.get()
    other = lot.bids.filter(status=Bid.Status.VALID).exclude(Q(pk=lot.recommended_bid_id))[0]
    with pytest.raises(InvalidInput):
        evaluation.lot_award(lot=lot, bid=other, actor=officer())
    award = evaluation.lot_award(
        lot=lot, bid=other, reason="推荐单位冷链资质被暂停", actor=officer()
    )
    assert award.departs_from_recommendation
    flagged = [s for s in signals(["award_departs_from_recommendation"]) if s.subject_id == lot.pk]
    assert flagged and flagged[0].detail["reason"] == "推荐单位冷链资质被暂停"


def test_a_single_valid_bid_is_flagged_and_awarded_only_with_a_justification(db: Any) -> None:
    tender = evaluated_tender((Decimal("9.00"),))
    lot = tender.lots.get()
    assert lot.few_bids
    assert "few_bids" in kinds(tender)
    assert [s.subject_id for s in signals(["single_bid"])].count(lot.pk) == 1
    with pytest.raises(InvalidInput) as refused:
        evaluation.lot_award(lot=lot, actor=officer())
    assert "justification" in (refused.value.fields or {})
    evaluation.lot_award(lot=lot, justification="仅此一家具备冷链配送能力", actor=officer())
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED


# Signals ---------------------------------------------------------------------------------------


def test_signals_for_auditors(client_for, settings) -> None:
    settings.PROCUREMENT_CLUSTER_BAND_PERCENT = "2"
    # Two bids within 2 % under the 2000.00 ceiling, one just under the reserve price, bidders
    # sharing a phone (written differently), a member sharing a bidder's address.
    tender = published_tender(ceiling=Decimal("2000.00"), items_per_lot=1, quantity=Decimal("1"))
    lot = tender.lots.get()
    services.tender_seal_reserve(tender=tender, reserves={lot.pk: Decimal("1900.00")}, actor=SETUP)
    twin_a = make_supplier(contact_phone="+86 139-0000-1111", address="城关镇 幸福路１号")
    twin_b = make_supplier(contact_phone="13900001111")
    third = make_supplier()
    bid_on(lot, Decimal("1999.00"), supplier=twin_a)
    bid_on(lot, Decimal("1961.00"), supplier=twin_b)
    bid_on(lot, Decimal("1890.00"), supplier=third)
    close(tender)
    member = seats(tender)[0]
    Evaluator.objects.filter(pk=member.evaluator_id).update(address="城关镇幸福路1号")
    member.refresh_from_db()
    present(member)
    present(seats(tender)[1])
    got = {(s.rule, s.subject_id) for s in signals()}
    assert ("bids_under_ceiling", lot.pk) in got
    assert ("bids_under_reserve", lot.pk) in got
    assert ("bidders_share_contact", tender.pk) in got
    assert ("evaluator_shares_contact", member.pk) in got
    under_ceiling = next(s for s in signals(["bids_under_ceiling"]) if s.subject_id == lot.pk)
    assert len(under_ceiling.detail["bids"]) == 2
    settings.PROCUREMENT_CLUSTER_BAND_PERCENT = "1"
    assert lot.pk not in [s.subject_id for s in signals(["bids_under_ceiling"])]
    for role in (R.AUDITOR, R.PROCUREMENT_OFFICER):
        listed = client_for(None, role).get(f"{API}/signals/?rule=bidders_share_contact")
        assert listed.status_code == 200
        assert {row["rule"] for row in listed.json()} == {"bidders_share_contact"}
    assert client_for(None, R.AUDITOR).get(f"{API}/signals/?rule=nonsense").status_code == 400
    assert client_for(None, R.SUPPLIER).get(f"{API}/signals/").status_code == 403


def test_an_evaluator_sees_only_the_tenders_and_seats_they_sit_on(client_for) -> None:
    tender = published_tender()
    elsewhere = published_tender()
    member = client_for(None, seats(tender)[0].evaluator.user)
    listed = {row["id"] for row in member.get(f"{API}/tenders/").json()["results"]}
    assert tender.pk in listed and elsewhere.pk not in listed
    assert member.get(f"{API}/tenders/{elsewhere.pk}/").status_code == 404
    own_seats = member.get(f"{API}/seats/").json()["results"]
    assert [row["tender"] for row in own_seats] == [tender.pk]
    evaluator_rows = member.get(f"{API}/evaluators/").json()["results"]
    assert [row["id"] for row in evaluator_rows] == [seats(tender)[0].evaluator_id]


def test_a_supplier_reads_published_notices_without_reserve_or_committee(client_for) -> None:
    draft = draft_tender()
    tender = published_tender()
    services.tender_seal_reserve(
        tender=tender, reserves={tender.lots.get().pk: Decimal("100.00")}, actor=SETUP
    )
    supplier = client_for(None, supplier_account(make_supplier()))
    listed = {row["id"] for row in supplier.get(f"{API}/notices/?page_size=500").json()["results"]}
    assert tender.pk in listed and draft.pk not in listed
    notice = supplier.get(f"{API}/notices/{tender.pk}/").json()
    assert "seats" not in notice and "threshold" not in notice
    assert set(notice["lots"][0]) == {"id", "number", "category", "ceiling", "lines"}
    assert supplier.get(f"{API}/tenders/{tender.pk}/").status_code == 404


def test_tender_settings_and_sealing_are_db_constraints(db: Any) -> None:
    tender = draft_tender()
    for values in (
        {"threshold": 1},
        {"price_weight": 101},
        {"contract_months": 0},
        {"status": Tender.Status.PUBLISHED},  # published without its key
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Tender.objects.filter(pk=tender.pk).update(**values)
