"""The supplier portal's pages: bidding through the form (the total worked out as typed, and
again by the service), the signed receipt of what was sealed, withdrawing; what is refused on
the page and leaves nothing saved (after the deadline, above the ceiling, suspended or
unqualified); licences sent with their scans; an attacker guessing other companies' rows finds
nothing, and no page tells how many bid; list pages cost the same for one row and many."""

import base64
import itertools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import pytest
from Crypto.Hash import SHA256
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from houqin.roles import Role as R
from shared_apps.procurement import sealing
from shared_apps.procurement.models import Bid, Lot, Qualification, Supplier, Tender
from shared_apps.procurement.services import suppliers as supplier_services
from shared_apps.procurement.tender_keys import district_signing_key
from tenants.models import School
from tests.factories import licence_scan, png_claiming, user_with_role
from tests.matrix.supply import make_contract, make_rating, make_spend_line
from tests.matrix.tenders import (
    bid_on,
    close,
    make_supplier,
    officer,
    opened_tender,
    published_tender,
    supplier_account,
)
from tests.web import queries, signed_in

pytestmark = pytest.mark.django_db

# What differs on every page load: the CSRF token (in forms and in htmx's headers), once-keys.
CSRF = re.compile(rb'name="(csrfmiddlewaretoken|once)" value="[^"]*"|"X-CSRFToken": "[^"]*"')


def _client(district_host: str, user: object) -> Client:
    return signed_in(district_host, user)  # type: ignore[arg-type]


@pytest.fixture
def company() -> Supplier:
    return make_supplier()


@pytest.fixture
def portal(district_host: str, company: Supplier) -> Client:
    return _client(district_host, supplier_account(company))


def _lot(tender: Tender) -> Lot:
    return tender.lots.prefetch_related("lines").get()


def _form(lot: Lot, price: str = "10.00", **extra: str) -> dict[str, str]:
    return {
        **{f"price_{line.pk}": price for line in lot.lines.all()},
        "delivery_terms": "次日达",
        "quality_statement": "附检验合格证明",
        "key_fingerprint": lot.tender.key_fingerprint,
        **extra,
    }


# Bidding -----------------------------------------------------------------------------------------


def test_a_bid_sent_from_the_form_is_sealed_and_its_receipt_proves_what_was_sealed(
    portal: Client, company: Supplier
) -> None:
    lot = _lot(published_tender())
    answer = portal.post(f"/supplier/lots/{lot.pk}/bid/", _form(lot))
    bid = Bid.objects.get(lot=lot, supplier=company)
    assert answer.status_code == 302
    assert answer["Location"] == f"/supplier/bids/{bid.public_id}/"
    assert bid.status == Bid.Status.SEALED
    page = portal.get(answer["Location"]).content.decode()
    fingerprint = SHA256.new(bytes(bid.sealed)).hexdigest()
    assert fingerprint in page
    statement = re.search(r"<pre class=\"mono\">(.*?)</pre>", page, re.S)
    assert statement is not None
    signed = statement.group(1).encode()
    assert fingerprint.encode() in signed
    shown = re.findall(r'class="mono">([A-Za-z0-9+/=]{80,})</dd>', page)
    assert any(
        sealing.signature_valid(district_signing_key(), signed, base64.b64decode(value))
        for value in shown
    ), "the receipt carries the district's signature of its statement"


def test_the_running_total_is_the_services_sum(portal: Client) -> None:
    lot = _lot(published_tender(ceiling=Decimal("1500.00")))
    lines = list(lot.lines.all())
    query = {f"price_{lines[0].pk}": "3.333", f"price_{lines[1].pk}": "2.50"}
    first = portal.get(f"/supplier/lots/{lot.pk}/total/", query).content.decode()
    # 100 x 3.333 is refused by the field (two places): only the second line counts yet.
    assert "¥250.00" in first
    query[f"price_{lines[0].pk}"] = "12.50"
    total = portal.get(f"/supplier/lots/{lot.pk}/total/", query).content.decode()
    assert "¥1500.00" in total and "alert error" not in total
    query[f"price_{lines[0].pk}"] = "12.51"
    above = portal.get(f"/supplier/lots/{lot.pk}/total/", query).content.decode()
    assert "¥1501.00" in above and "alert error" in above


def _refused(portal: Client, lot: Lot, data: dict[str, str], reason: str) -> None:
    answer = portal.post(f"/supplier/lots/{lot.pk}/bid/", data)
    assert answer.status_code == 400
    assert reason in answer.content.decode()
    assert not Bid.objects.filter(lot=lot).exists(), "nothing saved"


def test_a_bid_above_the_ceiling_is_refused_with_the_reason(portal: Client) -> None:
    lot = _lot(published_tender(ceiling=Decimal("1000.00")))
    _refused(portal, lot, _form(lot, "5.01"), "1002.00")


def test_a_bid_after_the_deadline_is_refused_with_the_reason(portal: Client) -> None:
    tender = published_tender()
    close(tender)
    lot = _lot(tender)
    _refused(portal, lot, _form(lot), "截止")


def test_a_suspended_supplier_is_refused_with_the_reason(portal: Client, company: Supplier) -> None:
    supplier_services.supplier_suspend(
        supplier=company, reason="连续两月评分不合格", actor=officer()
    )
    lot = _lot(published_tender())
    _refused(portal, lot, _form(lot), "连续两月评分不合格")


def test_an_unqualified_supplier_is_refused_with_the_reason(district_host: str) -> None:
    portal = _client(district_host, supplier_account(make_supplier(food_licence=False)))
    lot = _lot(published_tender())
    _refused(portal, lot, _form(lot), "食品")


def test_a_bid_is_withdrawn_before_the_deadline_and_not_after(
    portal: Client, company: Supplier
) -> None:
    tender = published_tender()
    lot = _lot(tender)
    portal.post(f"/supplier/lots/{lot.pk}/bid/", _form(lot))
    bid = Bid.objects.get(lot=lot)
    assert portal.post(f"/supplier/bids/{bid.public_id}/withdraw/").status_code == 302
    bid.refresh_from_db()
    assert (bid.status, bytes(bid.sealed)) == (Bid.Status.WITHDRAWN, b"")
    portal.post(f"/supplier/lots/{lot.pk}/bid/", _form(lot, "9.00"))
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SEALED
    close(tender)
    late = portal.post(f"/supplier/bids/{bid.public_id}/withdraw/")
    assert late.status_code == 409
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SEALED


def test_the_result_after_the_opening_is_the_bidders_own(district_host: str) -> None:
    tender = opened_tender((Decimal("10.00"), Decimal("11.00"), Decimal("12.00")))
    bid = Bid.objects.filter(lot__tender=tender).order_by("pk").first()
    assert bid is not None
    account = bid.supplier.users.get().user
    page = _client(district_host, account).get(f"/supplier/bids/{bid.public_id}/")
    text = page.content.decode()
    assert f"¥{bid.total}" in text
    others = Bid.objects.filter(lot__tender=tender).exclude(pk=bid.pk)
    for other in others:
        assert other.supplier.name not in text
        assert f"¥{other.total}" not in text


# Licences ----------------------------------------------------------------------------------------


def _licence(**extra: object) -> dict[str, object]:
    return {
        "kind": Qualification.Kind.FOOD_BUSINESS,
        "number": "JY13301020012345",
        "issued_by": "县市场监督管理局",
        "valid_from": "2025-01-01",
        "expires_on": "2030-01-01",
        "scan": licence_scan(),
        **extra,
    }


def test_a_licence_sent_with_its_scan_awaits_verification(
    portal: Client, company: Supplier
) -> None:
    assert portal.post("/supplier/licences/", _licence()).status_code == 302
    sent = Qualification.objects.get(supplier=company, number="JY13301020012345")
    assert sent.status == Qualification.Status.PENDING
    scan = portal.get(f"/supplier/licences/{sent.pk}/scan/")
    assert (scan.status_code, scan["Content-Type"]) == (200, "image/jpeg")
    assert scan.content.startswith(b"\xff\xd8")


@pytest.mark.parametrize(
    ("scan", "reason"),
    [
        (SimpleUploadedFile("licence.pdf", b"%PDF-1.7 not an image"), "JPEG"),
        (SimpleUploadedFile("bomb.png", png_claiming(40_000, 40_000)), "像素过多"),
    ],
    ids=["not an image", "decompression bomb"],
)
def test_a_scan_that_is_not_a_clean_image_is_refused_and_nothing_saved(
    portal: Client, company: Supplier, scan: SimpleUploadedFile, reason: str
) -> None:
    answer = portal.post("/supplier/licences/", _licence(scan=scan))
    assert answer.status_code == 400
    assert reason in answer.content.decode()
    assert not Qualification.objects.filter(supplier=company, number="JY13301020012345").exists()


# An attacker -------------------------------------------------------------------------------------


def test_another_companys_rows_are_not_found(portal: Client) -> None:
    lot = _lot(published_tender())
    theirs = bid_on(lot)
    contract = make_contract()
    licence = make_supplier().qualifications.first()
    assert licence is not None
    Qualification.objects.filter(pk=licence.pk).update(scan="procurement/x.jpg")
    for path in [
        f"/supplier/bids/{theirs.public_id}/",
        f"/supplier/contracts/{contract.pk}/",
        f"/supplier/licences/{licence.pk}/scan/",
    ]:
        assert portal.get(path).status_code == 404, path
    assert portal.post(f"/supplier/bids/{theirs.public_id}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Bid.Status.SEALED
    assert contract.number not in portal.get("/supplier/contracts/").content.decode()


def test_the_officer_has_no_portal(district_host: str) -> None:
    client = _client(district_host, user_with_role(R.PROCUREMENT_OFFICER))
    assert client.get("/supplier/notices/").status_code == 404


def test_orders_and_ratings_are_the_companys_own(
    portal: Client, company: Supplier, school_a: School
) -> None:
    mine = make_spend_line(school_a, company, description="大米")
    theirs = make_spend_line(school_a, make_supplier(), description="食用油")
    orders = portal.get("/supplier/orders/").content.decode()
    assert mine.order_number in orders and theirs.order_number not in orders
    make_rating(school_a, company, comment="送货及时")
    make_rating(school_a, make_supplier(), comment="包装破损")
    ratings = portal.get("/supplier/ratings/").content.decode()
    assert "送货及时" in ratings and "包装破损" not in ratings


def _pages(portal: Client, tender: Tender, bid: Bid) -> list[bytes]:
    lot = _lot(tender)
    paths = [
        "/",
        "/supplier/notices/",
        f"/supplier/notices/{tender.pk}/",
        f"/supplier/lots/{lot.pk}/bid/",
        "/supplier/bids/",
        f"/supplier/bids/{bid.public_id}/",
    ]
    return [CSRF.sub(b"", portal.get(path).content) for path in paths]


def test_no_page_tells_how_many_bid(portal: Client, company: Supplier) -> None:
    """The supplier's pages read the same whether it bid alone or among many."""
    tender = published_tender()
    own = bid_on(_lot(tender), actor=company.users.get().user)
    alone = _pages(portal, tender, own)
    for _ in range(4):
        bid_on(_lot(tender))
    assert _pages(portal, tender, own) == alone


# Query counts ------------------------------------------------------------------------------------


def _bid(company: Supplier) -> None:
    bid_on(_lot(published_tender()), actor=company.users.get().user)


_months = itertools.count()


class At(NamedTuple):
    """Whose rows a list shows, and where they were ordered and rated."""

    company: Supplier
    school: School


def _licence_row(company: Supplier) -> Qualification:
    return Qualification.objects.create(
        supplier=company,
        kind=Qualification.Kind.OTHER,
        number=f"Q{next(_months)}",
        valid_from="2025-01-01",
        expires_on="2030-01-01",
    )


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/supplier/notices/", lambda at: published_tender(school=at.school)),
        ("/supplier/bids/", lambda at: _bid(at.company)),
        ("/supplier/contracts/", lambda at: make_contract(at.company)),
        ("/supplier/licences/", lambda at: _licence_row(at.company)),
        ("/supplier/orders/", lambda at: make_spend_line(at.school, at.company)),
        (
            "/supplier/ratings/",
            lambda at: make_rating(
                at.school, at.company, month=f"20{10 + next(_months) % 80}-01-01"
            ),
        ),
    ],
)
def test_a_list_costs_the_same_for_one_row_and_many(
    portal: Client,
    company: Supplier,
    school_a: School,
    path: str,
    make: Callable[[At], object],
) -> None:
    at = At(company, school_a)
    make(at)
    one = queries(portal, path)
    for _ in range(4):
        make(at)
    assert queries(portal, path) == one


def test_the_bid_form_costs_the_same_for_a_few_lines_and_many(portal: Client) -> None:
    few = _lot(published_tender(items_per_lot=1))
    many = _lot(published_tender(items_per_lot=8))
    assert queries(portal, f"/supplier/lots/{few.pk}/bid/") == queries(
        portal, f"/supplier/lots/{many.pk}/bid/"
    )
