"""Suppliers: unified social credit codes checked to the check character; sign-in accounts that
see their own company only; qualifications a supplier keeps itself, and notices before they
expire (once); suspension and reinstatement with reasons; the catalogue and its all-or-nothing
import; the contracts a school can order under; monthly ratings and the automatic suspension of a
supplier rated low two months running; the auditors' signals about what schools buy."""

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from houqin.exceptions import Conflict, InvalidInput
from houqin.roles import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.procurement import tasks
from shared_apps.procurement.credit_codes import credit_code_cleaned
from shared_apps.procurement.models import (
    CatalogueItem,
    Category,
    ContractPrice,
    FrameworkContract,
    Qualification,
    Supplier,
    SupplierEvent,
    SupplierRating,
    SupplierUser,
)
from shared_apps.procurement.services import ratings, suppliers
from shared_apps.procurement.signals import signals
from shared_apps.procurement.supply_rules import ABOVE_REFERENCE, OUTSIDE_CONTRACT
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import SETUP, user_with_role
from tests.matrix.supply import (
    credit_code,
    make_contract,
    make_item,
    make_spend_line,
    make_supplier,
)

R = Role
SUPPLIERS = "/api/v1/procurement/suppliers/"
QUALIFICATIONS = "/api/v1/procurement/qualifications/"
CATALOGUE = "/api/v1/procurement/catalogue/"
CONTRACTS = "/api/v1/procurement/contracts/"
RATINGS = "/api/v1/procurement/ratings/"
# Codes of real companies, as printed on their business licences.
REAL_CODES = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]


def supplier_account(client_for: Any, supplier: Supplier) -> HostClient:
    """A client on the district host signed in as an account of `supplier`."""
    account, _password = suppliers.supplier_account_create(
        supplier=supplier, username=f"acct-{supplier.pk}-{User.objects.count()}", actor=SETUP
    )
    return client_for(None, account.user)


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# Unified social credit codes ---------------------------------------------------------------------


@pytest.mark.parametrize("code", [*REAL_CODES, credit_code(1), credit_code(987654321)])
def test_valid_credit_codes_are_accepted(code: str) -> None:
    assert credit_code_cleaned(code) == code
    assert credit_code_cleaned(f"  {code.lower()} ") == code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19
        "9135010OM000100Y43",  # a letter among the division code's digits
        "91350100M00O100Y43",  # O is not used
        "91350100M00I100Y43",  # nor I
        "91350100M000100S43",  # nor S
        "",
    ],
)
def test_invalid_credit_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        credit_code_cleaned(code)
    assert refused.value.code == "invalid_credit_code"
    assert "credit_code" in refused.value.fields


def test_the_officer_registers_a_supplier_once_per_code(client_for: Any) -> None:
    officer = client_for(None, R.PROCUREMENT_OFFICER)
    body = {
        "name": "县粮油公司",
        "credit_code": REAL_CODES[0].lower(),
        "address": "县城建设路1号",
        "contact_name": "王经理",
        "contact_phone": "0371-6000000",
        "categories": ["food", "food", "kitchen"],
    }
    created = officer.post(SUPPLIERS, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["credit_code"] == REAL_CODES[0]
    assert created.json()["categories"] == ["food", "kitchen"]
    assert created.json()["status"] == "active"
    again = officer.post(SUPPLIERS, body, format="json")
    assert again.status_code == 409
    bad = officer.post(SUPPLIERS, {**body, "credit_code": "91350100M000100Y44"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_credit_code"
    assert "credit_code" in bad.json()["error"]["fields"]
    assert Supplier.objects.filter(name="县粮油公司").count() == 1
    changed = officer.patch(
        f"{SUPPLIERS}{created.json()['id']}/", {"credit_code": "123"}, format="json"
    )
    assert changed.status_code == 400
    assert Supplier.objects.get(name="县粮油公司").credit_code == REAL_CODES[0]


# Accounts and scoping ----------------------------------------------------------------------------


def test_an_account_gets_a_made_up_password_shown_once(client_for: Any, district_host: str) -> None:
    supplier = make_supplier()
    officer = client_for(None, R.PROCUREMENT_OFFICER)
    response = officer.post(
        "/api/v1/procurement/supplier-accounts/",
        {"supplier": supplier.pk, "username": "liangyou-wang", "display_name": "王经理"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    password = response.json()["password"]
    assert len(password) >= 12
    user = User.objects.get(username="liangyou-wang")
    assert SupplierUser.objects.get(user=user).supplier == supplier
    assert Membership.objects.across_schools().get(user=user).role == R.SUPPLIER
    assert password not in user.password
    token = HostClient(district_host).post(
        "/api/v1/auth/token/", {"username": "liangyou-wang", "password": password}, format="json"
    )
    assert token.status_code == 200, token.content
    # Listed later without it; one set by the officer is never echoed.
    listed = officer.get("/api/v1/procurement/supplier-accounts/", {"supplier": supplier.pk})
    assert "password" not in listed.json()["results"][0]
    chosen = officer.post(
        "/api/v1/procurement/supplier-accounts/",
        {"supplier": supplier.pk, "username": "liangyou-li", "password": "Grain-and-oil-2026"},
        format="json",
    )
    assert chosen.status_code == 201
    assert chosen.json()["password"] is None


def test_a_supplier_never_sees_another_suppliers_rows(client_for: Any, school_a: School) -> None:
    mine, theirs = make_supplier(), make_supplier()
    for supplier in (mine, theirs):
        licence = Qualification.objects.create(
            supplier=supplier,
            kind=Qualification.Kind.BUSINESS,
            number=f"YY{supplier.pk}",
            valid_from=date(2024, 1, 1),
            expires_on=date(2030, 1, 1),
        )
        SupplierEvent.objects.create(
            supplier=supplier,
            kind=SupplierEvent.Kind.QUALIFICATION_EXPIRING,
            reason="测试",
            qualification=licence,
            expires_on=licence.expires_on,
            notice_days=30,
        )
        make_spend_line(school_a, supplier)
    my_contract, their_contract = make_contract(mine), make_contract(theirs)
    client = supplier_account(client_for, mine)

    assert ids(client.get(SUPPLIERS)) == {mine.pk}
    assert client.get(f"{SUPPLIERS}{mine.pk}/").status_code == 200
    assert client.get(f"{SUPPLIERS}{theirs.pk}/").status_code == 404
    assert {q["supplier"] for q in client.get(QUALIFICATIONS).json()["results"]} == {mine.pk}
    events = client.get("/api/v1/procurement/supplier-events/").json()["results"]
    assert {e["supplier"] for e in events} == {mine.pk}
    assert ids(client.get(CONTRACTS)) == {my_contract.pk}
    assert client.get(f"{CONTRACTS}{their_contract.pk}/").status_code == 404
    orders = client.get(f"{SUPPLIERS}{mine.pk}/orders/")
    assert orders.status_code == 200
    assert [o["school_name"] for o in orders.json()["results"]] == [school_a.name]
    assert client.get(f"{SUPPLIERS}{theirs.pk}/orders/").status_code == 404
    # Nor anything the centre's staff read.
    assert client.get("/api/v1/procurement/spend/summary/").status_code == 403
    assert client.get("/api/v1/procurement/supplier-accounts/").status_code == 403


def test_a_supplier_keeps_its_own_qualifications_only(client_for: Any) -> None:
    mine, theirs = make_supplier(), make_supplier()
    client = supplier_account(client_for, mine)
    body = {
        "kind": "food_business",
        "number": "JY14101010000001",
        "issued_by": "县市场监督管理局",
        "valid_from": "2024-05-01",
        "expires_on": "2029-04-30",
    }
    added = client.post(QUALIFICATIONS, body, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["supplier"] == mine.pk
    for named in (theirs.pk, 10**12):
        refused = client.post(
            QUALIFICATIONS, {**body, "number": "X1", "supplier": named}, format="json"
        )
        assert refused.status_code == 403
    assert not Qualification.objects.filter(supplier=theirs).exists()
    backwards = client.post(
        QUALIFICATIONS, {**body, "number": "X2", "expires_on": "2024-04-30"}, format="json"
    )
    assert backwards.status_code == 400
    assert client.post(QUALIFICATIONS, body, format="json").status_code == 409

    officer = client_for(None, R.PROCUREMENT_OFFICER)
    assert officer.post(QUALIFICATIONS, {**body, "number": "X3"}, format="json").status_code == 400
    by_officer = officer.post(
        QUALIFICATIONS, {**body, "number": "X3", "supplier": theirs.pk}, format="json"
    )
    assert by_officer.status_code == 201
    assert by_officer.json()["supplier"] == theirs.pk


# Standing ----------------------------------------------------------------------------------------


def test_suspending_and_reinstating_need_a_reason_and_leave_events(client_for: Any) -> None:
    supplier = make_supplier()
    officer = client_for(None, R.PROCUREMENT_OFFICER)
    url = f"{SUPPLIERS}{supplier.pk}/"
    assert officer.post(f"{url}suspend/", {}, format="json").status_code == 400
    assert officer.post(f"{url}suspend/", {"reason": "  "}, format="json").status_code == 400
    assert officer.post(f"{url}reinstate/", {"reason": "x"}, format="json").status_code == 409
    suspended = officer.post(f"{url}suspend/", {"reason": "送货多次短斤少两"}, format="json")
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["status_reason"] == "送货多次短斤少两"
    assert officer.post(f"{url}suspend/", {"reason": "again"}, format="json").status_code == 409
    reinstated = officer.post(f"{url}reinstate/", {"reason": "已整改"}, format="json")
    assert reinstated.status_code == 200
    assert reinstated.json()["status"] == "active"
    kinds = list(
        SupplierEvent.objects.filter(supplier=supplier)
        .order_by("pk")
        .values_list("kind", "automatic", "reason")
    )
    assert kinds == [("suspended", False, "送货多次短斤少两"), ("reinstated", False, "已整改")]
    # The database itself refuses a suspension without a reason.
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.filter(pk=supplier.pk).update(status="suspended", status_reason="")


def test_qualification_notices_are_raised_once_per_qualification_and_period(db: Any) -> None:
    today = date(2026, 3, 1)
    supplier = make_supplier()
    officer = user_with_role(R.PROCUREMENT_OFFICER)

    def qualification(number: str, expires_on: date, *, verified: bool = True) -> Qualification:
        added = suppliers.qualification_add(
            supplier=supplier,
            kind=Qualification.Kind.FOOD_BUSINESS,
            number=number,
            valid_from=date(2021, 1, 1),
            expires_on=expires_on,
            actor=officer,
        )
        if verified:
            suppliers.qualification_verify(qualification=added, actor=officer)
        return added

    soon = qualification("SOON", today + timedelta(days=30))
    qualification("LATER", today + timedelta(days=40))
    qualification("GONE", today - timedelta(days=1))
    # Not verified, it does not count: nothing to warn of.
    qualification("UNCHECKED", today + timedelta(days=10), verified=False)

    def notices() -> list[str]:
        return list(
            SupplierEvent.objects.filter(
                supplier=supplier, kind=SupplierEvent.Kind.QUALIFICATION_EXPIRING
            ).values_list("reason", flat=True)
        )

    assert suppliers.qualification_expiry_notices(actor=SETUP, today=today) == 1
    assert suppliers.qualification_expiry_notices(actor=SETUP, today=today) == 0
    assert tasks.qualification_expiry_task.apply(kwargs={"day": "2026-03-02"}).get() == 0
    assert len(notices()) == 1
    assert "SOON" in notices()[0] and "2026-03-31" in notices()[0]
    # A run racing this one could not add the same notice: the table refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplierEvent.objects.create(
            supplier=supplier,
            kind=SupplierEvent.Kind.QUALIFICATION_EXPIRING,
            automatic=True,
            reason="again",
            qualification=soon,
            expires_on=soon.expires_on,
            notice_days=30,
        )
    # A shorter notice period is another threshold: one more notice, once.
    assert suppliers.qualification_expiry_notices(actor=SETUP, today=today, days=7) == 0
    assert suppliers.qualification_expiry_notices(actor=SETUP, today=date(2026, 3, 25), days=7) == 1
    assert suppliers.qualification_expiry_notices(actor=SETUP, today=date(2026, 3, 26), days=7) == 0
    # Renewed (a later expiry), it is noticed again when that date comes near.
    Qualification.objects.filter(pk=soon.pk).update(expires_on=date(2027, 3, 31))
    assert suppliers.qualification_expiry_notices(actor=SETUP, today=date(2027, 3, 10)) == 1
    assert len(notices()) == 3
    event = SupplierEvent.objects.filter(supplier=supplier).first()
    assert event is not None and event.automatic


# Catalogue ---------------------------------------------------------------------------------------

HEADER = ["编码", "名称", "类别", "单位", "规格", "参考价", "参考价日期"]
GOOD = [
    ["RICE-01", "大米", "食品", "kg", "一级粳米", "5.20", "2025-03-01"],
    ["MOP-01", "拖把", "cleaning", "把", "", "25.00", "2025-03-01"],
]


def _csv(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode()


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: HostClient, content: bytes, name: str, **extra: Any) -> Any:
    upload = SimpleUploadedFile(name, content)
    return client.post(f"{CATALOGUE}import/", {"file": upload, **extra}, format="multipart")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (_csv(GOOD), "catalogue.csv"),
        (_csv(GOOD).decode().encode("gbk"), "catalogue-gbk.csv"),
        (_xlsx([[*GOOD[0][:6], date(2025, 3, 1)], GOOD[1]]), "catalogue.xlsx"),
    ],
    # Named, not shown: a workbook carries the second it was made, and every worker of a
    # parallel run must collect the same tests.
    ids=["utf-8", "gbk", "xlsx"],
)
def test_the_catalogue_is_imported_from_csv_or_excel(
    client_for: Any, content: bytes, name: str
) -> None:
    officer = client_for(None, R.PROCUREMENT_OFFICER)
    report = _upload(officer, content, name)
    assert report.status_code == 200, report.content
    assert [(r["row"], r["status"]) for r in report.json()["rows"]] == [
        (2, "created"),
        (3, "created"),
    ]
    rice = CatalogueItem.objects.get(code="RICE-01")
    assert (rice.category, rice.reference_price, rice.reference_date) == (
        Category.FOOD,
        Decimal("5.20"),
        date(2025, 3, 1),
    )
    again = _upload(officer, _csv([[*GOOD[0][:5], "5.40", "2025-04-01"], GOOD[1]]), "again.csv")
    assert [r["status"] for r in again.json()["rows"]] == ["updated", "unchanged"]
    assert CatalogueItem.objects.get(code="RICE-01").reference_price == Decimal("5.40")


def test_a_faulty_catalogue_row_saves_nothing_and_each_is_reported(client_for: Any) -> None:
    officer = client_for(None, R.PROCUREMENT_OFFICER)
    rows = [
        GOOD[0],
        ["OIL-01", "食用油", "零食", "L", "", "12.00", "2025-03-01"],
        ["EGG-01", "鸡蛋", "食品", "kg", "", "-1", "2025-03-01"],
        ["FISH-01", "鱼", "食品", "kg", "", "18.005", "2025/03/01"],
        ["RICE-01", "又是大米", "食品", "kg", "", "5.00", "2099-01-01"],
    ]
    response = _upload(officer, _csv(rows), "bad.csv")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    faulty = {r["row"]: r["reasons"] for r in error["fields"]["rows"]}
    assert set(faulty) == {2, 3, 4, 5, 6}
    assert faulty[3] == ["category_unknown"]
    assert faulty[4] == ["reference_price_invalid"]
    assert set(faulty[5]) == {"reference_price_invalid", "reference_date_invalid"}
    assert set(faulty[6]) == {"reference_date_out_of_range", "duplicate_in_file"}
    assert "duplicate_in_file" in faulty[2]
    assert not CatalogueItem.objects.filter(code__in=["RICE-01", "OIL-01"]).exists()
    dry = _upload(officer, _csv(GOOD), "dry.csv", dry_run=True)
    assert dry.json()["dry_run"] is True and dry.json()["created"] == 2
    assert not CatalogueItem.objects.filter(code="RICE-01").exists()


def test_catalogue_items_are_kept_by_the_officer_and_read_by_schools(
    client_for: Any, school_a: School
) -> None:
    officer = client_for(None, R.PROCUREMENT_OFFICER)
    body = {
        "code": "SALT-01",
        "name": "食盐",
        "category": "food",
        "unit": "kg",
        "reference_price": "3.00",
        "reference_date": "2025-03-01",
        "food": "no-such-food",
    }
    assert officer.post(CATALOGUE, body, format="json").status_code == 400
    created = officer.post(CATALOGUE, {**body, "food": ""}, format="json")
    assert created.status_code == 201, created.content
    assert officer.post(CATALOGUE, {**body, "food": ""}, format="json").status_code == 409
    changed = officer.patch(
        f"{CATALOGUE}{created.json()['id']}/", {"reference_price": "3.20"}, format="json"
    )
    assert changed.json()["reference_price"] == "3.20"
    future = officer.patch(
        f"{CATALOGUE}{created.json()['id']}/", {"reference_date": "2099-01-01"}, format="json"
    )
    assert future.status_code == 400
    for role in (R.CANTEEN_MANAGER, R.ACCOUNTANT):
        listed = client_for(school_a, role).get(CATALOGUE, {"code": "SALT-01"})
        assert [row["reference_price"] for row in listed.json()["results"]] == ["3.20"]


# Contracts ---------------------------------------------------------------------------------------


def test_a_school_sees_the_contracts_in_force_with_their_prices(
    client_for: Any, school_a: School
) -> None:
    today = timezone.localdate()
    rice = make_item(Category.FOOD, Decimal("5.00"))
    in_force = make_contract(prices=[(rice, Decimal("4.80"))])
    expired = make_contract(valid_from=today - timedelta(days=400), valid_to=today - timedelta(1))
    terminated = make_contract(status=FrameworkContract.Status.TERMINATED)
    later = make_contract(valid_from=today + timedelta(days=1))
    listed = client_for(school_a, R.CANTEEN_MANAGER).get(CONTRACTS, {"page_size": 500})
    seen = ids(listed)
    assert in_force.pk in seen
    assert not seen & {expired.pk, terminated.pk, later.pk}
    row = next(r for r in listed.json()["results"] if r["id"] == in_force.pk)
    assert row["prices"] == [
        {
            "item": rice.pk,
            "item_code": rice.code,
            "item_name": rice.name,
            "unit": "kg",
            "unit_price": "4.80",
            "reference_price": "5.00",
        }
    ]
    # The centre reads them all.
    everything = ids(client_for(None, R.AUDITOR).get(CONTRACTS, {"page_size": 500}))
    assert {in_force.pk, expired.pk, terminated.pk, later.pk} <= everything


# Ratings -----------------------------------------------------------------------------------------

JANUARY, FEBRUARY, MARCH = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def rate(school: School, supplier: Supplier, month: date, score: int, **scores: int) -> Any:
    """A rating through the service, after an order that month (made here)."""
    make_spend_line(
        school, supplier, ordered_on=month.replace(day=10), due_on=month.replace(day=12)
    )
    values = {"quality": score, "punctuality": score, "service": score, **scores}
    return ratings.rating_record(
        school=school,
        supplier=supplier,
        month=month,
        actor=SETUP,
        quality=values["quality"],
        punctuality=values["punctuality"],
        service=values["service"],
    )


def test_a_rating_is_the_rounded_mean_once_a_month_after_an_order(
    client_for: Any, school_a: School
) -> None:
    supplier = make_supplier()
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    this_month = timezone.localdate()
    body = {
        "supplier": supplier.pk,
        "month": this_month.isoformat(),
        "quality": 90,
        "punctuality": 85,
        "service": 86,
        "comment": "按时送达",
    }
    no_order = director.post(RATINGS, body, format="json")
    assert no_order.status_code == 400
    assert no_order.json()["error"]["code"] == "no_order_that_month"
    make_spend_line(school_a, supplier)
    rated = director.post(RATINGS, body, format="json")
    assert rated.status_code == 201, rated.content
    # (90 + 85 + 86) / 3 = 87.0
    assert (rated.json()["score"], rated.json()["school"]) == (87, school_a.code)
    assert rated.json()["month"] == this_month.replace(day=1).isoformat()
    assert director.post(RATINGS, body, format="json").status_code == 409
    nextmonth = (this_month.replace(day=28) + timedelta(days=5)).isoformat()
    assert director.post(RATINGS, {**body, "month": nextmonth}, format="json").status_code == 400
    assert director.post(RATINGS, {**body, "quality": 101}, format="json").status_code == 400
    mean = rate(school_a, make_supplier(), JANUARY, 0, quality=100, punctuality=100, service=51)
    assert mean.score == 84  # 83.67, rounded
    half = rate(school_a, make_supplier(), JANUARY, 0, quality=60, punctuality=60, service=61)
    assert half.score == 60  # 60.33


def test_two_low_months_suspend_a_supplier_automatically_with_the_figures(
    school_a: School, school_b: School, client_for: Any
) -> None:
    supplier = make_supplier()
    rate(school_a, supplier, JANUARY, 50)
    rate(school_b, supplier, JANUARY, 65)  # January's mean across schools: 57.50
    rate(school_a, supplier, FEBRUARY, 70)
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ACTIVE  # February's mean is 70 so far
    SupplierRating.objects.across_schools().filter(supplier=supplier, month=FEBRUARY).delete()
    # Rated through the API by the school's director: the suspension is still the rule's.
    rated = client_for(school_a, R.LOGISTICS_DIRECTOR).post(
        RATINGS,
        {
            "supplier": supplier.pk,
            "month": "2025-02-20",
            "quality": 40,
            "punctuality": 40,
            "service": 40,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert rated.status_code == 201, rated.content
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.SUSPENDED
    event = SupplierEvent.objects.get(supplier=supplier, kind=SupplierEvent.Kind.SUSPENDED)
    assert event.automatic and event.actor is None
    for figure in ("57.50", "2025-01", "(2 schools)", "40.00", "2025-02", "(1 schools)", "60"):
        assert figure in event.reason
    assert supplier.status_reason == event.reason

    # The officer reinstates (a reason is required); a later rating of the same months does not
    # suspend it again: the officer has seen them.
    officer = client_for(None, R.PROCUREMENT_OFFICER)
    url = f"{SUPPLIERS}{supplier.pk}/reinstate/"
    assert officer.post(url, {}, format="json").status_code == 400
    assert officer.post(url, {"reason": "约谈后整改到位"}, format="json").status_code == 200
    rate(school_b, supplier, FEBRUARY, 70)  # February's mean is now 55: still low
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ACTIVE
    assert list(
        SupplierEvent.objects.filter(supplier=supplier)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["suspended", "reinstated"]


def test_one_low_month_or_a_mean_at_the_threshold_does_not_suspend(
    school_a: School, school_b: School
) -> None:
    once = make_supplier()
    rate(school_a, once, JANUARY, 10)
    rate(school_a, once, MARCH, 10)  # February unrated: not two consecutive months
    at_threshold = make_supplier()
    rate(school_a, at_threshold, JANUARY, 59)
    rate(school_b, at_threshold, FEBRUARY, 80)
    rate(school_a, at_threshold, FEBRUARY, 40)  # February's mean is 60: not below
    for supplier in (once, at_threshold):
        supplier.refresh_from_db()
        assert supplier.status == Supplier.Status.ACTIVE


def test_a_rating_of_an_earlier_month_completes_a_low_pair(school_a: School) -> None:
    supplier = make_supplier()
    rate(school_a, supplier, FEBRUARY, 30)
    rate(school_a, supplier, JANUARY, 30)
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.SUSPENDED


def test_the_monthly_task_applies_the_rule_once(school_a: School, settings: Any) -> None:
    supplier = make_supplier()
    rate(school_a, supplier, JANUARY, 65)
    rate(school_a, supplier, FEBRUARY, 65)
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ACTIVE
    settings.PROCUREMENT_RATING_THRESHOLD = 70
    result = tasks.supplier_rating_rule_task.apply(kwargs={"month": "2025-02-15"}).get()
    assert result == [supplier.pk]
    assert tasks.supplier_rating_rule_task.apply(kwargs={"month": "2025-02-15"}).get() == []
    assert SupplierEvent.objects.filter(supplier=supplier, kind="suspended").count() == 1
    assert SupplierRating.objects.across_schools().filter(supplier=supplier).count() == 2


def test_the_rule_leaves_a_supplier_already_suspended_as_it_is(school_a: School) -> None:
    supplier = make_supplier()
    suppliers.supplier_suspend(supplier=supplier, reason="人工暂停", actor=SETUP)
    rate(school_a, supplier, JANUARY, 10)
    rate(school_a, supplier, FEBRUARY, 10)
    assert SupplierEvent.objects.filter(supplier=supplier, kind="suspended").count() == 1
    with pytest.raises(Conflict):
        suppliers.supplier_suspend(supplier=supplier, reason="again", actor=SETUP)


# Signals -----------------------------------------------------------------------------------------


def test_signals_flag_orders_outside_contracts_and_prices_above_the_reference(
    school_a: School, settings: Any
) -> None:
    settings.PROCUREMENT_PRICE_TOLERANCE = "0.10"
    item = make_item(reference_price=Decimal("10.00"))
    at_tolerance = make_contract(prices=[(item, Decimal("11.00"))])
    above = make_contract(prices=[(item, Decimal("11.01"))])
    outside = make_spend_line(school_a, make_supplier(), reference_price=None)
    dear = make_spend_line(
        school_a,
        make_supplier(),
        contract=above,
        item=item,
        outside_contract_reason="",
        unit_price=Decimal("12.00"),
        amount=Decimal("24.00"),
        reference_price=Decimal("10.00"),
    )
    cheap = make_spend_line(
        school_a,
        make_supplier(),
        contract=at_tolerance,
        item=item,
        outside_contract_reason="",
        unit_price=Decimal("11.00"),
        amount=Decimal("22.00"),
        reference_price=Decimal("10.00"),
    )
    flagged = {(s.rule, s.subject, s.subject_id): s for s in signals([OUTSIDE_CONTRACT])}
    assert (OUTSIDE_CONTRACT, "order_line", outside.order_line_id) in flagged
    assert (OUTSIDE_CONTRACT, "order_line", dear.order_line_id) not in flagged
    signal = flagged[(OUTSIDE_CONTRACT, "order_line", outside.order_line_id)]
    assert signal.school_id == school_a.pk
    assert signal.detail["reason"] == "急用"

    prices = {(s.subject, s.subject_id): s for s in signals([ABOVE_REFERENCE])}
    above_price = ContractPrice.objects.get(contract=above)
    assert ("contract_price", above_price.pk) in prices
    assert prices[("contract_price", above_price.pk)].detail["above_pct"] == "10.1"
    assert ("contract_price", ContractPrice.objects.get(contract=at_tolerance).pk) not in prices
    assert ("order_line", dear.order_line_id) in prices
    assert prices[("order_line", dear.order_line_id)].detail["above_pct"] == "20.0"
    assert ("order_line", cheap.order_line_id) not in prices
    settings.PROCUREMENT_PRICE_TOLERANCE = "0.25"
    assert not [s for s in signals([ABOVE_REFERENCE]) if s.subject_id == dear.order_line_id]
