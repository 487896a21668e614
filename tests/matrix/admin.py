"""The admin's pages in the isolation and role matrix (tests/test_matrix.py).

Every model registered on the admin site, on the host whose schema stores it: its change list, a
row's page, and posting to add, change and delete. Who may see what follows from the role
registry (a grant on the whole model; an `:own` grant opens no admin page); who may write, from
the registry and from what the model admin writes through the services, declared here in
`WRITES`: an admin that starts or stops writing fails the matrix until it is declared. `ROWS`
makes one row of each model for its pages (on the district host, rows of school A where a row
belongs to a school).
"""

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django_tenants.utils import schema_context

from houqin.permissions import permission_name
from houqin.roles import Role, allows, grants_of
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import Change, Finding, SecurityEvent
from shared_apps.procurement.models import (
    CatalogueItem,
    FrameworkContract,
    Qualification,
    SpendLine,
    Supplier,
    SupplierEvent,
    SupplierRating,
)
from shared_apps.standards import selectors as standards_selectors
from shared_apps.standards import services as standards
from shared_apps.standards.models import (
    Food,
    MealPlan,
    NutritionStandard,
    Recipe,
    StandardTarget,
)
from shared_apps.subsidies import services as subsidies
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    Disbursement,
    Programme,
    ProgrammeCode,
)
from tenant_apps.assets.models import Asset
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    SchoolTerm,
    Serving,
)
from tenant_apps.feedback.models import Feedback
from tenant_apps.orders.models import Delivery, Expenditure, Invoice, Order
from tenant_apps.people.models import StaffMember, Student, SubsidyEligibility
from tenant_apps.repairs.models import RepairRequest
from tenants.models import Domain, School
from tests.conftest import SCHOOL_A, SCHOOL_B
from tests.factories import SETUP, make_user, programme_row
from tests.matrix import Operations, R, Scene
from tests.matrix import canteen as canteen_rows
from tests.matrix import orders as order_rows
from tests.matrix import repairs as repair_rows
from tests.matrix import subsidies as subsidy_rows
from tests.matrix import supply as supply_rows
from tests.matrix.people import make_student

# The API's operations are declared by the other modules.
SCHOOL_OPERATIONS: Operations = {}
DISTRICT_OPERATIONS: Operations = {}

ModelType = type[models.Model]

# What each model admin writes, every write through a service: "add", "change", "delete" (its
# forms) and the names of its change-list actions. Every other model admin is read-only.
WRITES: dict[ModelType, frozenset[str]] = {
    School: frozenset({"school_suspend", "school_reactivate", "school_archive"}),
    User: frozenset({"change"}),
    Finding: frozenset({"add", "change"}),
    Programme: frozenset({"add", "change"}),
    Food: frozenset({"add", "change"}),
    MealPlan: frozenset({"add", "change", "delete"}),
    Feedback: frozenset({"add"}),
    Student: frozenset({"add", "change"}),
    StaffMember: frozenset({"add", "change"}),
}

# The pages of one model, with the permission each needs beside the model admin's write:
# (page, permission action, the write it is).
PAGES: tuple[tuple[str, str, str | None], ...] = (
    ("list", "view", None),
    ("view", "view", None),
    ("add", "add", "add"),
    ("change", "change", "change"),
    ("delete", "delete", "delete"),
)


def may(model: ModelType, page: str, roles: frozenset[Role]) -> bool:
    """Whether a holder of `roles`, signed in on the model's host, is let through `page`."""
    action, write = next((a, w) for p, a, w in PAGES if p == page)
    grants = grants_of(roles)
    if write is None:
        # Django's admin lets whoever may change a model view it.
        return allows(grants, permission_name(model, "view")) or allows(
            grants, permission_name(model, "change")
        )
    written = WRITES.get(model, frozenset())
    return write in written and allows(grants, permission_name(model, action))


_serial = itertools.count(1)
# Weeks of draft plans far from any other test's.
FIRST_PLAN_MONDAY = datetime.date(2037, 1, 5)


def _school_a(scene: Scene) -> School:
    return scene.school or School.objects.get(code=SCHOOL_A)


def _standard(scene: Scene) -> NutritionStandard:
    standard = standards_selectors.standard_current()
    assert standard is not None
    return standard


def _target(scene: Scene) -> StandardTarget:
    target = StandardTarget.objects.order_by("pk").first()
    assert target is not None
    return target


def _draft_plan(scene: Scene) -> MealPlan:
    week = FIRST_PLAN_MONDAY + datetime.timedelta(weeks=next(_serial) + MealPlan.objects.count())
    return standards.plan_create(week_start=week, age_band="9-11", entries=[], actor=SETUP)


def _supplement(scene: Scene) -> BudgetSupplement:
    budget = subsidy_rows.make_budget(_school_a(scene), subsidy_rows.make_programme())
    return subsidies.budget_supplement(
        budget=budget, amount=Decimal("1000.00"), reason="追加", actor=make_user()
    )


def _disbursement(scene: Scene) -> Disbursement:
    claim = subsidy_rows.make_claim(_school_a(scene), status=Claim.Status.APPROVED)
    return Disbursement.objects.create(
        claim=claim,
        amount=Decimal("100.00"),
        paid_on=datetime.date(2025, 11, 20),
        reference=f"GK-{next(_serial)}",
        recorded_by=make_user(),
    )


def _change(scene: Scene) -> Change:
    make_user()  # an INSERT into accounts_user, recorded by the trigger
    return Change.objects.across_schools().latest("id")


def _finding(scene: Scene) -> Finding:
    return Finding.objects.create(
        school=_school_a(scene), title="留样不足", body="…", severity="low", created_by=make_user()
    )


def _qualification(scene: Scene) -> Qualification:
    return Qualification.objects.create(
        supplier=supply_rows.make_supplier(),
        kind=Qualification.Kind.BUSINESS,
        number=f"Q{next(_serial)}",
        valid_from=datetime.date(2024, 1, 1),
        expires_on=datetime.date(2030, 1, 1),
    )


def _supplier_event(scene: Scene) -> SupplierEvent:
    return SupplierEvent.objects.create(
        supplier=supply_rows.make_supplier(), kind=SupplierEvent.Kind.SUSPENDED, reason="测试"
    )


def _session(scene: Scene) -> MealSession:
    return canteen_rows.make_session(scene, 5000 + next(_serial))


def _menu(scene: Scene) -> Menu:
    return Menu.objects.create(
        start_date=datetime.date(2024, 6, 3),
        end_date=datetime.date(2024, 6, 7),
        age_band="9-11",
        origin=Menu.Origin.OWN,
    )


def _serving(scene: Scene) -> Serving:
    return Serving.objects.create(
        session=_session(scene),
        student=_student(scene),
        source="card",
        recorded_at=timezone.now(),
    )


def _accompanied_meal(scene: Scene) -> AccompaniedMeal:
    return AccompaniedMeal.objects.create(
        session=_session(scene), leader=scene.member(R.PRINCIPAL), comments="可口"
    )


def _inspection(scene: Scene) -> InboundInspection:
    return InboundInspection.objects.create(
        supplier_name="县粮油公司",
        batch=f"B{next(_serial):06d}",
        certificates=["营业执照"],
        lines=[{"item": "大米", "quantity": "50", "unit": "kg"}],
        received_on=datetime.date(2025, 3, 3),
        shelf_life_until=datetime.date(2026, 3, 3),
        keep_until=datetime.date(2028, 3, 3),
    )


def _cold_reading(scene: Scene) -> ColdStorageReading:
    return ColdStorageReading.objects.create(
        unit="冷藏柜1",
        unit_type="refrigerator",
        temperature_c=Decimal("4.0"),
        measured_at=timezone.now(),
    )


def _daily_close(scene: Scene) -> DailyClose:
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=next(_serial))
    return DailyClose.objects.create(date=day, closed_at=timezone.now())


def _feedback(scene: Scene) -> Feedback:
    return Feedback.objects.create(
        author=scene.member(R.STUDENT), category="praise", subject="s", body="b"
    )


def _order(scene: Scene) -> Order:
    return order_rows.make_order(_school_a(scene))


def _delivery(scene: Scene) -> Delivery:
    order = order_rows.make_order(_school_a(scene), delivered=Decimal("3"))
    return order.deliveries.get()


def _invoice(scene: Scene) -> Invoice:
    order = order_rows.make_order(_school_a(scene), delivered=Decimal("10"), invoiced=True)
    return order.invoices.get()


def _student(scene: Scene) -> Student:
    return make_student(_school_a(scene).schema_name)


def _eligibility(scene: Scene) -> SubsidyEligibility:
    return SubsidyEligibility.objects.create(
        student=_student(scene),
        programme=programme_row(ProgrammeCode.NUTRITION_IMPROVEMENT),
        reason=SubsidyEligibility.Reason.RURAL_COMPULSORY,
        valid_from=datetime.date(2025, 9, 1),
    )


# model -> a fresh row of it for the scene (made in the scene's school for a school's models).
ROWS: dict[ModelType, Callable[[Scene], models.Model]] = {
    School: lambda _scene: School.objects.get(code=SCHOOL_B),
    Domain: lambda _scene: Domain.objects.get(tenant__code=SCHOOL_B, is_primary=True),
    User: lambda _scene: make_user(),
    Membership: lambda scene: Membership.objects.across_schools().get(user=scene.member()),
    Change: _change,
    SecurityEvent: lambda _scene: SecurityEvent.objects.create(kind="login", schema_name="public"),
    Finding: _finding,
    Supplier: lambda _scene: supply_rows.make_supplier(),
    Qualification: _qualification,
    SupplierEvent: _supplier_event,
    CatalogueItem: lambda _scene: supply_rows.make_item(),
    FrameworkContract: lambda _scene: supply_rows.make_contract(),
    SupplierRating: lambda scene: supply_rows.make_rating(_school_a(scene)),
    SpendLine: lambda scene: supply_rows.make_spend_line(
        _school_a(scene), supply_rows.make_supplier()
    ),
    NutritionStandard: _standard,
    StandardTarget: _target,
    Food: lambda _scene: Food.objects.get(code=canteen_rows.RICE),
    Recipe: lambda _scene: canteen_rows.recipe(next(_serial)),
    MealPlan: _draft_plan,
    Programme: lambda _scene: subsidy_rows.make_programme(),
    Budget: lambda scene: subsidy_rows.make_budget(_school_a(scene), subsidy_rows.make_programme()),
    BudgetSupplement: _supplement,
    Claim: lambda scene: subsidy_rows.make_claim(_school_a(scene)),
    Disbursement: _disbursement,
    SchoolTerm: lambda scene: canteen_rows.make_term(scene, 5000 + next(_serial)),
    CalendarDay: lambda scene: canteen_rows.make_calendar_day(
        scene, 5000 + next(_serial), CalendarDay.Kind.HOLIDAY
    ),
    Menu: _menu,
    MealSession: _session,
    Serving: _serving,
    AccompaniedMeal: _accompanied_meal,
    FoodSample: lambda scene: canteen_rows.kept_sample(scene, 5000 + next(_serial)),
    InboundInspection: _inspection,
    ColdStorageReading: _cold_reading,
    DailyClose: _daily_close,
    Feedback: _feedback,
    Order: _order,
    RepairRequest: lambda scene: repair_rows.make_request(_school_a(scene)),
    Asset: lambda scene: repair_rows.make_asset(_school_a(scene)),
    Delivery: _delivery,
    Invoice: _invoice,
    Expenditure: lambda scene: _invoice(scene).expenditure,
    Student: _student,
    SubsidyEligibility: _eligibility,
    StaffMember: lambda _scene: StaffMember.objects.create(name="赵六", position="cook"),
}


def row_id(model: ModelType, scene: Scene) -> int:
    """The id of a fresh row of `model`, made in the scene's school for a school's model."""
    if scene.school is None:
        return ROWS[model](scene).pk
    with schema_context(scene.school.schema_name):
        return ROWS[model](scene).pk
