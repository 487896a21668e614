"""The demo district, seeded as `make demo` seeds it, twice: the whole programme's month is there
(students, servings, a claim per school: one paid, one awaiting the district, one a draft for the
principal; a school year's budget each), the money agrees to the fen,
the audit trail names the actors, and the second run adds nothing. Its procurement: the auditors'
signals show every registered rule, contracts carry the winning bids' prices, the spend view
agrees with the schools' orders and invoices, and the open tender's bids stay sealed.

The district is seeded once for the module, in a transaction rolled back after its last test;
each test runs in a savepoint of it (as a TestCase's class and tests do), so what one test writes
is gone before the next."""

import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import tenant_context

from demo_district.procurement import TENDERS
from demo_district.seed import CLAIM_STAGES, DEMO_SCHOOLS, PLANNED_BANDS, DemoDates, seed_demo
from demo_district.users import DemoLogin
from houqin.roles import DISTRICT_ROLES, SCHOOL_ROLES
from shared_apps.accounts.models import User
from shared_apps.audit.models import Change
from shared_apps.optimiser import services as optimiser
from shared_apps.optimiser.models import Proposal
from shared_apps.optimiser.rules import Rules
from shared_apps.procurement import sealing
from shared_apps.procurement.credit_codes import credit_code_cleaned
from shared_apps.procurement.models import (
    Award,
    Bid,
    BidLine,
    CatalogueItem,
    ContractPrice,
    Evaluator,
    FrameworkContract,
    Qualification,
    Requisition,
    Score,
    SpendLine,
    Supplier,
    SupplierEvent,
    SupplierRating,
    Tender,
    TenderEvent,
)
from shared_apps.procurement.selectors.tenders import deadline_passed
from shared_apps.procurement.signals import RULES
from shared_apps.procurement.tender_keys import stored
from shared_apps.reporting.models import SchoolUpkeep
from shared_apps.standards.models import MealPlan, Recipe
from shared_apps.standards.selectors import plan_report
from shared_apps.subsidies.models import Budget, Claim, ClaimEvent, Disbursement
from tenant_apps.assets.models import Asset, Discrepancy, Disposal
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    ColdStorageReading,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    Serving,
)
from tenant_apps.orders.models import (
    Delivery,
    DeliveryLine,
    Expenditure,
    Invoice,
    Order,
    OrderLine,
)
from tenant_apps.people import national_id
from tenant_apps.people.models import Student, SubsidyEligibility
from tenant_apps.repairs.models import MaintenancePlan, RepairEvent, RepairRequest
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import SETUP

SCHOOL_MODELS: list[Any] = [
    RepairRequest,
    RepairEvent,
    Asset,
    Discrepancy,
    Disposal,
    Student,
    SubsidyEligibility,
    Menu,
    MealSession,
    Serving,
    FoodSample,
    AccompaniedMeal,
    InboundInspection,
    ColdStorageReading,
    Order,
    OrderLine,
    Delivery,
    Invoice,
    Expenditure,
]
PUBLIC_MODELS: list[Any] = [
    School,
    Recipe,
    MealPlan,
    Proposal,
    Budget,
    Claim,
    ClaimEvent,
    Disbursement,
    User,
    CatalogueItem,
    Supplier,
    Qualification,
    SupplierEvent,
    Evaluator,
    Requisition,
    Tender,
    TenderEvent,
    Bid,
    Score,
    Award,
    FrameworkContract,
    SpendLine,
    SupplierRating,
]


def _counts() -> dict[str, int]:
    # Every school's rows, and the centre's.
    counts = {m.__name__: m._base_manager.count() for m in PUBLIC_MODELS}
    for code, *_rest in DEMO_SCHOOLS:
        with tenant_context(School.objects.get(code=code)):
            counts.update({f"{code}.{m.__name__}": m.objects.count() for m in SCHOOL_MODELS})
    return counts


# The module's tests on one worker: one seeding for all of them.
pytestmark = pytest.mark.xdist_group("demo_seed")


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[DemoLogin]]:
    """The demo district seeded (its logins), for the module's tests to read."""
    seeding = transaction.atomic()
    with django_db_blocker.unblock():
        seeding.__enter__()
        started = time.monotonic()
        logins = seed_demo()
        print(f"seed_demo: first run {time.monotonic() - started:.1f} s")
    try:
        yield logins
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            seeding.__exit__(None, None, None)


def test_seed_demo_twice(demo: list[DemoLogin], db: Any, client_for: Any) -> None:
    logins = demo
    first = _counts()
    again = seed_demo()
    assert _counts() == first, "the second run added rows"
    _boarding_is_seeded()

    roles = {login.role for login in again}
    assert {r.value for r in DISTRICT_ROLES | SCHOOL_ROLES} <= roles
    assert len(again) == len(logins)

    dates = DemoDates.of(timezone.localdate())
    finance = next(login for login in again if login.role == "finance_officer")
    finance_id = User.objects.get(username=finance.username).pk
    statuses = []
    for code, *_rest in DEMO_SCHOOLS:
        school = School.objects.get(code=code)
        with tenant_context(school):
            students = Student.objects.count()
            assert students >= 100
            assert SubsidyEligibility.objects.count() / students >= 0.65
            for blob in Student.objects.values_list("national_id_ciphertext", flat=True)[:20]:
                assert blob is not None
                assert national_id.is_valid(national_id.decrypt(blob))
            served = Serving.objects.filter(
                session__date__range=(dates.month_start, dates.month_end)
            ).count()
            assert served > students * 10
            assert not MealSession.objects.exclude(samples__isnull=False).exists()
        claim = Claim.objects.across_schools().get(school=school, month=dates.month_start)
        statuses.append(claim.status)
        assert claim.student_days > 0
        assert claim.amount == (claim.student_days * claim.daily_rate).quantize(Decimal("0.01"))
        budget = claim.budget
        committed = Claim.objects.across_schools().filter(
            budget=budget, status__in=[Claim.Status.APPROVED, Claim.Status.PAID]
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        assert budget.committed == committed
        assert budget.period_start <= dates.month_start < dates.month_end <= budget.period_end
        assert claim.status == CLAIM_STAGES[code]
        if claim.status == Claim.Status.PAID:
            assert claim.status == Claim.Status.PAID
            assert claim.disbursed == claim.amount
            assert claim.disbursements.aggregate(total=Sum("amount"))["total"] == claim.amount
            assert budget.committed == claim.amount
            approvals = Change.objects.across_schools().filter(
                table_name="subsidies_claim",
                row_id=str(claim.pk),
                operation="UPDATE",
                after__status="approved",
            )
            assert approvals.exists()
            assert set(approvals.values_list("actor_id", flat=True)) == {finance_id}
        else:
            assert budget.committed == 0
    assert sorted(statuses) == ["draft", "paid", "submitted"]
    # The repair desks and the registers: requests in every state but one, one escalated; a
    # stock-take's discrepancies, a disposal waiting, a maintenance plan; the district's figures.
    for code, *_rest in DEMO_SCHOOLS:
        school = School.objects.get(code=code)
        with tenant_context(school):
            states = set(RepairRequest.objects.values_list("status", flat=True))
            assert set(RepairRequest.Status.values) == states, states
            assert RepairEvent.objects.filter(kind="escalated").exists()
            assert Discrepancy.objects.count() == 2 and Disposal.objects.get().status == "requested"
            assert MaintenancePlan.objects.exists()
        assert SchoolUpkeep.objects.for_school(school).get().overdue_requests >= 1

    # This week's plans and the next's, every band's, composed by the optimiser, meet the
    # standard; each school's page for parents leads with a menu that meets it.
    monday = dates.today - timedelta(days=dates.today.weekday())
    for week in (monday, monday + timedelta(weeks=1)):
        for band in PLANNED_BANDS:
            plan = MealPlan.objects.get(week_start=week, age_band=band, status="published")
            assert plan_report(plan=plan)["meets_standard"], (week, band)
            assert Proposal.objects.across_schools().filter(plan=plan).exists()
    for code, *_rest in DEMO_SCHOOLS:
        page = client_for(School.objects.get(code=code)).get("/disclosure/", {"format": "json"})
        assert page.json()["menus"][0]["meets_standard"] is True, code

    # A school's proposal is priced at its own contracts (those its requisitions went into,
    # in force from the award, the seed's day, so next week).
    tendered = {requisition.school for requisition in TENDERS[0].requisitions}
    for code, *_rest in DEMO_SCHOOLS:
        proposal = optimiser.proposal_request(
            week_start=monday + timedelta(weeks=1),
            age_band="9-11",
            meals=["lunch"],
            rules=Rules(days=(1,)),
            school=School.objects.get(code=code),
            actor=SETUP,
        )
        rice = proposal.inputs["prices"]["CT002"]
        assert rice["source"] == ("contract" if code in tendered else "reference"), code


def test_the_demo_procurement_as_auditors_and_the_district_read_it(
    demo: list[DemoLogin], db: Any
) -> None:
    logins = {login.username: login for login in demo}
    today = timezone.localdate()
    host = str(settings.DISTRICT_DOMAIN)
    officer = User.objects.get(username="district.procurement_officer")

    # Suppliers sign in to their own company; each evaluator's passphrase, written next to their
    # password, unlocks their sealing key.
    accounts = [User.objects.get(username=f"supplier.{n}") for n in range(1, 5)]
    assert all(logins[a.username].role == "supplier" for a in accounts)
    assert len({a.supplier_account.supplier_id for a in accounts}) == 4
    for member in Evaluator.objects.select_related("user"):
        passphrase = logins[member.user.username].passphrase
        assert passphrase is not None
        sealing.unlock_private_key(stored(member.locked_private_key), passphrase)
    for supplier in Supplier.objects.all():
        assert credit_code_cleaned(supplier.credit_code) == supplier.credit_code
    expiring = SupplierEvent.objects.filter(kind=SupplierEvent.Kind.QUALIFICATION_EXPIRING)
    assert expiring.count() == 1
    # Every licence counts because the officer verified it against its document.
    licences = list(Qualification.objects.values_list("status", "verified_by"))
    assert licences and set(licences) == {(Qualification.Status.VERIFIED, officer.pk)}
    # The catalogue's food items name their food in the composition table.
    assert CatalogueItem.objects.count() >= 20
    assert not CatalogueItem.objects.filter(category="food", food__isnull=True).exists()

    # The auditors' signals show every registered rule, none of them about the first tender.
    auditor = HostClient(host, User.objects.get(username="district.auditor"))
    listed = auditor.get("/api/v1/procurement/signals/")
    assert listed.status_code == 200, listed.content
    assert {row["rule"] for row in listed.json()} == set(RULES)
    food, suspicious, still_open = (Tender.objects.get(title=spec.title) for spec in TENDERS)
    lots = set(food.lots.values_list("pk", flat=True))
    about_food = [
        row
        for row in listed.json()
        if row["detail"].get("tender") == food.pk
        or (row["subject"] == "tender" and row["subject_id"] == food.pk)
        or (row["subject"] == "lot" and row["subject_id"] in lots)
    ]
    assert about_food == []

    # Contracts carry the winning bids' prices; the first one, its winner's bid as seeded.
    assert (food.status, suspicious.status) == (Tender.Status.AWARDED, Tender.Status.AWARDED)
    for award in Award.objects.all():
        prices = ContractPrice.objects.filter(contract_id=award.contract_id)
        offered = BidLine.objects.filter(bid_id=award.bid_id)
        assert dict(prices.values_list("item_id", "unit_price")) == dict(
            offered.values_list("line__item_id", "unit_price")
        )
    contract = Award.objects.get(lot__tender=food).contract
    assert {
        price.item.code: price.unit_price
        for price in ContractPrice.objects.filter(contract=contract).select_related("item")
    } == {code: Decimal(price) for code, price in TENDERS[0].bids[1].items()}
    bids = Change.objects.across_schools().filter(table_name="procurement_bid", operation="INSERT")
    assert set(bids.values_list("actor_id", flat=True)) <= {a.pk for a in accounts}
    # One officer evaluates, another awards (houqin.duties).
    awarded = Change.objects.across_schools().filter(
        table_name="procurement_award", operation="INSERT"
    )
    second = User.objects.get(username="district.procurement_officer.2")
    assert set(awarded.values_list("actor_id", flat=True)) == {second.pk}
    assert {food.evaluated_by_id, suspicious.evaluated_by_id} == {officer.pk}

    # The district's spend view agrees with each school's orders and invoices, to the fen; what
    # was invoiced was paid, and the food delivered was inspected.
    spend = HostClient(host, officer).get(
        "/api/v1/procurement/spend/summary/", {"month": f"{today:%Y-%m}"}
    )
    by_school = {row["key"]: row["figures"] for row in spend.json()["by_school"]}
    assert set(by_school) == {"3101010001", "3101010002"}
    for code, figures in by_school.items():
        with tenant_context(School.objects.get(code=code)):
            orders = Order.objects.exclude(status=Order.Status.CANCELLED)
            ordered = orders.aggregate(total=Sum("amount"))["total"]
            invoiced = Invoice.objects.aggregate(total=Sum("amount"))["total"]
            paid = Expenditure.objects.filter(status=Expenditure.Status.PAID)
            assert (Decimal(figures["amount"]), Decimal(figures["invoiced"])) == (ordered, invoiced)
            assert paid.aggregate(total=Sum("amount"))["total"] == invoiced
            deliveries = Delivery.objects.select_related("inspection")
            assert deliveries.count() == 1
            inspected = [d.inspection.supplier_name for d in deliveries if d.inspection]
            assert inspected == [contract.supplier.name]
            assert orders.get(contract=contract).status == Order.Status.PARTLY_DELIVERED
            rejected = DeliveryLine.objects.filter(rejected_quantity__gt=0).count()
            assert rejected == (1 if code == "3101010002" else 0)
    assert SupplierRating.objects.across_schools().filter(supplier=contract.supplier).count() == 2

    # The open tender: its two bids and its reserve price are sealed, and say so.
    assert still_open.status == Tender.Status.PUBLISHED
    assert deadline_passed(still_open) is False
    sealed = Bid.objects.filter(lot__tender=still_open)
    assert [bid.status for bid in sealed] == [Bid.Status.SEALED] * 2
    assert not BidLine.objects.filter(bid__in=sealed).exists()
    assert [(lot.reserve_price, bool(lot.sealed_reserve)) for lot in still_open.lots.all()] == [
        (None, True)
    ]
    refused = HostClient(host, officer).get(f"/api/v1/procurement/tenders/{still_open.pk}/bids/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "sealed"
    # Nor does anyone but each bidder learn that they bid, or how many did.
    listed = HostClient(host, officer).get(f"/api/v1/procurement/bids/?tender={still_open.pk}")
    assert listed.json()["results"] == []
    (lot,) = (
        HostClient(host, officer)
        .get(f"/api/v1/procurement/tenders/{still_open.pk}/")
        .json()["lots"]
    )
    assert lot["bid_count"] is None
    for bid in sealed.select_related("supplier"):
        account = User.objects.get(supplier_account__supplier=bid.supplier)
        own = HostClient(host, account).get(f"/api/v1/procurement/bids/?tender={still_open.pk}")
        assert [row["id"] for row in own.json()["results"]] == [str(bid.public_id)]


def _boarding_is_seeded() -> None:
    """Each boarding school's last night: one pupil late, one absent (their guardian told, their
    class teacher reading it), one on leave, the others in; a visitor with a masked ID number;
    this term's fee charged to every boarder, one refunded; the term's living allowance paid,
    each boarder at their stage's rate."""
    from shared_apps.subsidies.models import Claim, ProgrammeCode
    from tenant_apps.dorms.models import FeeCharge, RollCall, Visitor
    from tenant_apps.dorms.selectors import class_boarders
    from tenant_apps.notices.models import Notice

    for code, _name, _kind, boarding, _address in DEMO_SCHOOLS:
        if not boarding:
            continue
        school = School.objects.get(code=code)
        with tenant_context(school):
            entries = RollCall.objects.get().entries.values_list("status", flat=True)
            statuses = sorted(set(entries))
            assert statuses == ["absent", "in", "late", "leave"], statuses
            assert [list(entries).count(s) for s in ("absent", "late", "leave")] == [1, 1, 1]
            # The absent boarder's guardian (the buses tell theirs too).
            assert Notice.objects.filter(key__startswith="dorms.").count() == 1
            assert "*" in Visitor.objects.get().national_id_masked
            # The absent boarder's class teacher reads them as absent on their class's page.
            teacher = User.objects.get(username=f"class_teacher.{code}")
            _roll_call, rows = class_boarders(user_id=teacher.pk, on=timezone.localdate())
            assert rows[0].entry is not None and rows[0].entry.status == "absent"
            fees = FeeCharge.objects.all()
            assert fees.count() == len(entries)
            refunded = fees.get(refunded_on__isnull=False)
            assert 0 < refunded.refund <= refunded.amount
        claim = Claim.objects.for_school(school).get(programme__code=ProgrammeCode.BOARDING_LIVING)
        assert (claim.status, claim.disbursed) == ("paid", claim.amount)
        units = claim.stage_units
        assert (
            claim.amount
            == units["primary"] * claim.primary_rate
            + units["junior"] * claim.junior_rate
            + units["none"] * claim.daily_rate
            > 0
        )


def test_the_demo_buses_two_routes_shared_by_two_schools_and_a_day_of_runs(
    demo: list[DemoLogin], db: Any
) -> None:
    from shared_apps.transport.models import Alarm, Licence, Route, Run, Seat, Vehicle

    assert Vehicle.objects.count() == 3
    assert all(
        set(route.schools.values_list("code", flat=True)) == {"3101010001", "3101010003"}
        for route in Route.objects.all()
    )
    # Two routes, the first with its second version, linked to it and awaiting its licence.
    assert Route.objects.filter(version_of=None).count() == 2
    later = Route.objects.get(version_of__isnull=False)
    assert later.version_of == Route.objects.get(code="XC-01")
    assert (later.version, later.code) == (2, "XC-01/v2")
    assert not later.licences.exists()
    assert set(Licence.objects.values_list("status", flat=True)) == {Licence.Status.APPROVED}
    runs = Run.objects.filter(period__startswith__date=timezone.localdate())
    assert runs.count() == 2
    for run in runs:
        seated = Seat.objects.across_schools().filter(run=run)
        assert seated.values("school").distinct().count() == 2
        assert run.seats_taken == seated.count() <= run.capacity
        # The pupils' seats and the escorts' never pass the rated load.
        assert run.capacity + 1 + run.escorts == run.vehicle.rated_load
        assert run.escorts_assigned <= run.escorts
    # One case of each alarm the GPS rules raise.
    assert sorted(Alarm.objects.values_list("kind", flat=True)) == sorted(Alarm.Kind.values)
    _escorts_worked_their_runs()


def _escorts_worked_their_runs() -> None:
    """The primary school's escort closed the first run with everyone off, the second is still
    to check; the primary school held a drill and closed an incident, every step done (no escort
    swap: the director's incident work is no escort's act); the nine-year school's escort could
    not close (one pupil left on board): the school's alarm, the guardian told."""
    from shared_apps.transport.models import Run
    from tenant_apps.notices.models import Notice
    from tenant_apps.riders.models import Alarm, Drill, Escort, Incident, Passage, Rider, Trip

    with tenant_context(School.objects.get(code="3101010001")):
        escort = User.objects.get(username="escort.3101010001")
        assert Escort.objects.filter(user=escort).count() == 2
        today = Run.objects.filter(period__startswith__date=timezone.localdate())
        trips = Trip.objects.filter(run_ref__in=today.values("pk")).order_by("run_ref")
        assert list(trips.values_list("status", flat=True)) == [
            Trip.Status.CLOSED,
            Trip.Status.PLANNED,
        ]
        first = Trip.objects.order_by("run_ref").first()
        riders = Rider.objects.filter(trip=first).count()
        assert Passage.objects.filter(trip=first).count() == 2 * riders > 0
        assert Notice.objects.filter(key__startswith="riders.passage:").count() == 2
        assert Drill.objects.count() == 1
        incident = Incident.objects.get()
        assert incident.closed_at is not None and incident.district_told_at is not None
        assert not Alarm.objects.exists()
    with tenant_context(School.objects.get(code="3101010003")):
        assert sorted(Alarm.objects.values_list("kind", flat=True)) == sorted(Alarm.Kind.values)
        alarm = Alarm.objects.get(kind=Alarm.Kind.LEFT_ON_BOARD)
        assert (alarm.on_board, alarm.trip.status) == (1, "started")
        swap = Alarm.objects.get(kind=Alarm.Kind.ESCORT_SWAP)
        assert swap.escort == User.objects.get(username="logistics_director.3101010003")
        assert Notice.objects.filter(key__startswith="riders.on_board:").count() == 1
