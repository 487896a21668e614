"""Benchmark steps, each run in a process of its own by `tests.bench.run`:

    python -m tests.bench.steps STEP --schools N --samples S

Each prints one JSON object on its last line of output."""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from houqin.db import in_each_schema, tenant_db  # noqa: E402
from houqin.door import SystemActor  # noqa: E402
from houqin.roles import DISTRICT_ROLES, Role  # noqa: E402
from shared_apps.accounts.models import ApiToken, Membership, User, hash_token_key  # noqa: E402
from shared_apps.standards.models import AgeBand  # noqa: E402
from tenant_apps.feedback.models import Feedback  # noqa: E402
from tenants import provisioning  # noqa: E402
from tenants.models import Domain, School, schema_name_for  # noqa: E402
from tenants.routing import school_host  # noqa: E402
from tenants.services import school_archive, school_create  # noqa: E402
from tests.factories import programme_row  # noqa: E402

# Who sets the benchmark's district up: no person.
BENCH = SystemActor("bench.setup")
ADMIN_TOKEN = "bench-district-admin-token"
AUDITOR_TOKEN = "bench-auditor-token"
THROUGHPUT_SCHOOL = "s00001"
TENDER_PASSPHRASE = "基准测试的评标口令-2026"


def _timed(action: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    started = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - started


def _user_with_token(username: str, role: Role, key: str) -> None:
    user, _created = User.objects.get_or_create(username=username)
    Membership.objects.across_schools().get_or_create(user=user, role=role.value, school=None)
    ApiToken.objects.get_or_create(user=user, key_hash=hash_token_key(key))


def setup(args: argparse.Namespace) -> dict[str, Any]:
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    _user_with_token("bench-admin", Role.DISTRICT_ADMIN, ADMIN_TOKEN)
    _user_with_token("bench-auditor", Role.AUDITOR, AUDITOR_TOKEN)
    return {"template_seconds": _timed(provisioning.template_build)}


def _stock_create(code: str) -> None:
    """What stock django-tenants does: the tenant row, then every migration run into a new
    schema (TenantMixin.create_schema)."""
    school = School.objects.create(
        code=code, schema_name=schema_name_for(code), name=code, kind="primary"
    )
    Domain.objects.create(domain=school_host(code), tenant=school, is_primary=True)
    school.create_schema(check_if_exists=True, verbosity=0)
    school_archive(actor=BENCH, school=school)


def provision_cold(args: argparse.Namespace) -> dict[str, Any]:
    ours = [
        _timed(school_create, actor=BENCH, code=f"c{i:05d}", name="冷启动", kind="primary")
        for i in range(args.samples)
    ]
    stock = [_timed(_stock_create, f"b{i:05d}") for i in range(args.samples)]
    return {"value": statistics.median(ours), "baseline": statistics.median(stock)}


def fill(args: argparse.Namespace) -> dict[str, Any]:
    """Create schools s<start>..s<stop-1> (skipping those that exist)."""
    existing = set(School.objects.values_list("code", flat=True))
    made = 0
    for i in range(args.start, args.stop):
        code = f"s{i:05d}"
        if code not in existing:
            school_create(actor=BENCH, code=code, name=f"学校{i}", kind="primary")
            made += 1
    return {"made": made}


def stock_sample(args: argparse.Namespace) -> dict[str, Any]:
    """Schools for the stock migration baselines, archived so that our release skips them."""
    for i in range(args.samples):
        code = f"a{i:05d}"
        if not School.objects.filter(code=code).exists():
            school_archive(
                actor=BENCH,
                school=school_create(actor=BENCH, code=code, name="基线", kind="primary"),
            )
    return {"made": args.samples}


def provision_warm(args: argparse.Namespace) -> dict[str, Any]:
    provisioning.pool_refill(size=args.samples)
    client = Client()
    admin = {"Authorization": f"Token {ADMIN_TOKEN}"}
    auditor = {"Authorization": f"Token {AUDITOR_TOKEN}"}
    times = []
    for i in range(args.samples):
        code = f"w{i:05d}"
        started = time.perf_counter()
        created = client.post(
            "/api/v1/schools/",
            {"code": code, "name": "热启动", "kind": "primary"},
            content_type="application/json",
            SERVER_NAME="localhost",
            headers=admin,
        )
        served = client.get("/api/v1/feedback/", SERVER_NAME=school_host(code), headers=auditor)
        times.append(time.perf_counter() - started)
        assert created.status_code == 201 and served.status_code == 200, (created, served)
    return {"value": statistics.median(times)}


def _stock_migrate(codes: list[str]) -> float:
    """Stock django-tenants' migrate_schemas, one school at a time (what its standard executor
    does for every tenant), timed per school."""
    return statistics.mean(
        _timed(
            call_command,
            "migrate_schemas",
            schema_name=schema_name_for(code),
            interactive=False,
            verbosity=0,
        )
        for code in codes
    )


def migrate(args: argparse.Namespace) -> dict[str, Any]:
    """Our release over every active school, and stock migrate_schemas on the archived sample
    schools (scaled to the district): at the stage BENCH_STAGE names."""
    stock_per_school = _stock_migrate([f"a{i:05d}" for i in range(args.samples)])
    ours = _timed(call_command, "migrate_schools", verbosity=0)
    return {"value": ours, "baseline": stock_per_school * args.schools}


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    school = School.objects.get(code=THROUGHPUT_SCHOOL)
    with tenant_context(school):
        if Feedback.objects.count() < 20:
            author = User.objects.get(username="bench-auditor")
            Feedback.objects.bulk_create(
                Feedback(author=author, category="praise", subject=f"第{i}条", body="好")
                for i in range(20)
            )
    client = Client()
    headers = {"Authorization": f"Token {AUDITOR_TOKEN}"}
    host = school_host(THROUGHPUT_SCHOOL)

    def one() -> None:
        response = client.get("/api/v1/feedback/", SERVER_NAME=host, headers=headers)
        assert response.status_code == 200, response.content[:200]

    for _warm in range(50):
        one()
    rounds = []
    for _round in range(args.rounds):
        started = time.perf_counter()
        for _request in range(args.requests):
            one()
        rounds.append(args.requests / (time.perf_counter() - started))
    return {"rounds": rounds}


def load_setup(args: argparse.Namespace) -> dict[str, Any]:
    """The load benchmark's rows: in each of the first `--schools` schools, 20 feedbacks and a
    principal whose token is `bench-principal-<code>` (who writes there); the auditor reads
    every school, the district administrator the district."""
    auditor = User.objects.get(username="bench-auditor")
    schools = list(School.objects.filter(code__startswith="s").order_by("code")[: args.schools])
    for school in schools:
        principal, _created = User.objects.get_or_create(username=f"bench-principal-{school.code}")
        Membership.objects.across_schools().get_or_create(
            user=principal, role=Role.PRINCIPAL.value, school=school
        )
        key = hash_token_key(f"bench-principal-{school.code}")
        ApiToken.objects.get_or_create(user=principal, key_hash=key)
        with tenant_context(school):
            if Feedback.objects.count() < 20:
                Feedback.objects.bulk_create(
                    Feedback(author=auditor, category="praise", subject=f"第{i}条", body="好")
                    for i in range(20)
                )
    return {"schools": [school.code for school in schools]}


def visit(args: argparse.Namespace) -> dict[str, Any]:
    """Visit every school with one query each; report the peak memory of this process and of
    its PostgreSQL backend (private memory, sampled every 25 schools)."""
    schemas = list(School.objects.order_by("pk").values_list("schema_name", flat=True))
    backend_peak = 0
    for visited, _schema in enumerate(in_each_schema(schemas, reconnect_every=args.reconnect), 1):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM benchapp_meterreading")
            if visited % 25 == 0 or visited == len(schemas):
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
                backend_peak = max(backend_peak, psutil.Process(pid).memory_full_info().uss)
    tenant_db().set_schema_to_public()
    return {
        "schools": len(schemas),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "backend_peak_mb": backend_peak / 2**20,
    }


# Meals: a day of servings across the district, and a month's claim for a large school. -------

NUTRITION = "nutrition_improvement"
LARGE_SCHOOL = "m00000"


def _last_school_day(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _roster(count: int, enrolled: date) -> None:
    """`count` students in the current school's register, 85 % of them eligible for the
    nutrition programme (rows written in bulk: the register import is measured elsewhere)."""
    from tenant_apps.people.models import Student, SubsidyEligibility

    students = Student.objects.bulk_create(
        Student(
            student_number=f"B{i:06d}",
            name=f"学生{i}",
            gender="male",
            grade=3,
            class_name="一班",
            enrolled_on=enrolled,
        )
        for i in range(count)
    )
    SubsidyEligibility.objects.bulk_create(
        SubsidyEligibility(
            student=s,
            programme=programme_row(NUTRITION),
            reason="rural_compulsory",
            valid_from=enrolled,
        )
        for s in students[: count * 85 // 100]
    )


def meals_setup(args: argparse.Namespace) -> dict[str, Any]:
    schemas = list(
        School.objects.filter(code__startswith="s")
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    enrolled = date(2000, 9, 1)
    for _schema in in_each_schema(schemas):
        _roster(args.students, enrolled)
    return {"schools": len(schemas), "students": len(schemas) * args.students}


def _serve_day(schools: list[School], day: date, naive: bool) -> int:
    """Open a meal in each school and serve every student; the naive baseline serves
    breakfast, the service lunch, so the two never meet."""
    from tenant_apps.canteen.models import Serving
    from tenant_apps.canteen.services.servings import meal_session_open, servings_record
    from tenant_apps.people.models import Student

    served = 0
    for school in schools:
        with tenant_context(school):
            session = meal_session_open(
                date=day, meal="breakfast" if naive else "lunch", actor=BENCH
            )
            ids = list(Student.objects.values_list("pk", flat=True))
            if naive:
                for student_id in ids:
                    Serving.objects.create(
                        session=session,
                        student_id=student_id,
                        source="card",
                        recorded_at=timezone.now(),
                    )
            else:
                servings_record(actor=BENCH, session=session, source="card", student_ids=ids)
            served += len(ids)
    return served


def servings_day(args: argparse.Namespace) -> dict[str, Any]:
    """Record one day's lunch for schools [start, stop) through the servings service; with
    --naive, the first --samples schools one INSERT per serving instead."""
    day = _last_school_day(timezone.localdate())
    schools = list(School.objects.filter(code__startswith="s").order_by("pk"))
    chosen = schools[: args.samples] if args.naive else schools[args.start : args.stop]
    started = time.perf_counter()
    served = _serve_day(chosen, day, args.naive)
    return {"seconds": time.perf_counter() - started, "servings": served}


def claim_month(args: argparse.Namespace) -> dict[str, Any]:
    """A month's claim for a school of --students students (85 % eligible) served lunch every
    school day: the claim service, and a naive per-student computation as the baseline."""
    from shared_apps.subsidies.models import Programme
    from shared_apps.subsidies.services import budget_allocate, claim_compute
    from tenant_apps.canteen.models import MealSession, Serving
    from tenant_apps.canteen.selectors import school_days_between
    from tenant_apps.people.models import Student, SubsidyEligibility

    today = timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_end = today.replace(day=1) - timedelta(days=1)
    school = school_create(actor=BENCH, code=LARGE_SCHOOL, name="大规模学校", kind="nine_year")
    programme = Programme.objects.get(code=NUTRITION)
    budget_allocate(
        programme=programme,
        school=school,
        period_start=month,
        period_end=month_end,
        allocated=Decimal("10000000.00"),
        actor=BENCH,
    )
    with tenant_context(school):
        _roster(args.students, date(2000, 9, 1))
        ids = list(Student.objects.values_list("pk", flat=True))
        days = school_days_between(month, month_end)
        for day in days:
            session = MealSession.objects.create(date=day, meal="lunch")
            Serving.objects.bulk_create(
                Serving(session=session, student_id=i, source="card", recorded_at=timezone.now())
                for i in ids
            )
    admin = User.objects.get(username="bench-admin")
    started = time.perf_counter()
    claim = claim_compute(school=school, programme=programme, month=month, actor=admin)
    ours = time.perf_counter() - started

    def naive_student_days(sample: list[int]) -> int:
        count = 0
        for student_id in sample:
            for day in days:
                eligible = SubsidyEligibility.objects.filter(
                    student_id=student_id, programme__code=NUTRITION, valid_from__lte=day
                ).exists()
                if (
                    eligible
                    and Serving.objects.filter(student_id=student_id, session__date=day).exists()
                ):
                    count += 1
        return count

    sample = ids[: max(len(ids) // 20, 1)]
    with tenant_context(school):
        started = time.perf_counter()
        naive_student_days(sample)
        naive = (time.perf_counter() - started) * len(ids) / len(sample)
    return {"value": ours, "baseline": naive, "student_days": claim.student_days}


def statements(args: argparse.Namespace) -> dict[str, Any]:
    """The district's monthly statement (table, Excel and PDF) once every school has a claim for
    the month of the servings day, against building each school's statement in turn."""
    from shared_apps.reporting.renderers import district_statement_pdf, district_statement_xlsx
    from shared_apps.reporting.selectors import district_statement, school_statement
    from shared_apps.subsidies.models import Programme
    from shared_apps.subsidies.services import budget_allocate, claim_compute

    day = _last_school_day(timezone.localdate())
    month = day.replace(day=1)
    month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    programme = Programme.objects.get(code=NUTRITION)
    admin = User.objects.get(username="bench-admin")
    schools = list(School.objects.filter(code__startswith="s").order_by("pk"))
    for school in schools:
        budget_allocate(
            programme=programme,
            school=school,
            period_start=month,
            period_end=month_end,
            allocated=Decimal("1000000.00"),
            actor=BENCH,
        )
        claim_compute(school=school, programme=programme, month=month, actor=admin)
    started = time.perf_counter()
    statement = district_statement(month=month)
    district_statement_xlsx(statement)
    district_statement_pdf(statement)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for school in schools:
        school_statement(school=school, month=month)
    naive = time.perf_counter() - started
    return {"value": ours, "baseline": naive, "rows": len(statement.rows)}


# Tenders: opening and scoring a tender of many sealed bids. -----------------------------------


def _sealed_tender(bid_count: int, lines: int) -> Any:
    """A published tender of one food lot of `lines` lines, a committee of three, and
    `bid_count` bids from qualified suppliers, past its deadline: two members have presented
    their shares (leaving the opening to the session)."""
    from shared_apps.procurement.models import (
        CatalogueItem,
        Evaluator,
        Qualification,
        Requisition,
        RequisitionLine,
        Supplier,
        SupplierUser,
        Tender,
    )
    from shared_apps.procurement.services import bids, evaluators, opening
    from shared_apps.procurement.services import tenders as services

    admin = User.objects.get(username="bench-admin")
    school = School.objects.filter(code__startswith="s").earliest("pk")
    items = CatalogueItem.objects.bulk_create(
        CatalogueItem(
            code=f"BT{i:05d}",
            name=f"食材{i}",
            category="food",
            unit="kg",
            reference_price=Decimal("10.00"),
            reference_date=timezone.localdate(),
        )
        for i in range(lines)
    )
    requisition = Requisition.objects.create(
        school=school, status=Requisition.Status.APPROVED, raised_by=admin
    )
    RequisitionLine.objects.bulk_create(
        RequisitionLine(
            requisition=requisition,
            item=item,
            quantity=Decimal("120.500"),
            needed_by=timezone.localdate() + timedelta(days=30),
        )
        for item in items
    )
    committee = []
    for i in range(3):
        user = User.objects.create(username=f"bench-evaluator-{i}")
        Membership.objects.create(user=user, role=Role.EVALUATOR.value)
        member = Evaluator.objects.create(
            user=user, name=f"专家{i}", employer="局", address=f"路{i}号", phone=f"137{i:08d}"
        )
        committee.append(
            evaluators.evaluator_register_key(
                evaluator=member, passphrase=TENDER_PASSPHRASE, actor=user
            )
        )
    tender = services.tender_create(
        title="集中采购",
        requisitions=[requisition],
        deadline=timezone.now() + timedelta(days=1),
        criteria=[services.CriterionSpec("质量", 40), services.CriterionSpec("服务", 20)],
        committee=committee,
        threshold=2,
        ceilings={"food": Decimal("999999999.00")},
        actor=admin,
    )
    tender = services.tender_publish(tender=tender, actor=admin)
    lot = tender.lots.get()
    tender_lines = list(lot.lines.order_by("pk"))
    for b in range(bid_count):
        supplier = Supplier.objects.create(
            name=f"供应商{b}",
            credit_code=f"91{b:016d}",
            address=f"街{b}号",
            contact_name="经理",
            contact_phone=f"139{b:08d}",
        )
        for kind in (Qualification.Kind.BUSINESS, Qualification.Kind.FOOD_BUSINESS):
            Qualification.objects.create(
                supplier=supplier,
                kind=kind,
                number=f"{kind}-{b}",
                valid_from=date(2020, 1, 1),
                expires_on=timezone.localdate() + timedelta(days=365),
                status=Qualification.Status.VERIFIED,
                verified_by=admin,
                verified_at=timezone.now(),
            )
        user = User.objects.create(username=f"bench-supplier-{b}")
        SupplierUser.objects.create(user=user, supplier=supplier)
        bids.bid_submit(
            lot=lot,
            contents=bids.BidContents(
                unit_prices={
                    line.pk: Decimal(f"{8 + (b * 7 + i) % 500 / 100:.2f}")
                    for i, line in enumerate(tender_lines)
                },
                delivery_terms="次日达",
                quality_statement="合格",
            ),
            key_fingerprint=tender.key_fingerprint,
            actor=user,
        )
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    for seat in tender.seats.select_related("evaluator__user").order_by("index")[:2]:
        user = seat.evaluator.user
        opening.seat_declare(seat=seat, conflict=False, note="", actor=user)
        opening.share_present(
            seat=seat, passphrase=TENDER_PASSPHRASE, open_when_ready=False, actor=user
        )
    return Tender.objects.get(pk=tender.pk)


def _naive_open(tender: Any, sample: int) -> tuple[float, int]:
    """The baseline: each bid line sealed on its own (decrypted one by one) and written with one
    INSERT each, for `sample` bids; rolled back. Returns (seconds, lines opened)."""
    from django.db import transaction

    from shared_apps.procurement import sealing
    from shared_apps.procurement.models import Bid, BidLine, PresentedShare
    from shared_apps.procurement.services.bids import BidContents
    from shared_apps.procurement.tender_keys import sealed_amount

    shares = [
        (p.seat.index, bytes(p.share))
        for p in PresentedShare.objects.filter(seat__tender=tender).select_related("seat")
    ]
    key = sealing.recover_tender_key(shares, bytes(tender.sealed_private_key))
    chosen = list(Bid.objects.filter(lot__tender=tender).order_by("pk")[:sample])
    per_line = {
        bid.pk: [
            (line, sealing.seal(bytes(tender.public_key), sealed_amount(price).encode()))
            for line, price in BidContents.decode(
                sealing.unseal(key, bytes(bid.sealed))
            ).unit_prices.items()
        ]
        for bid in chosen
    }
    opened = 0
    with transaction.atomic():
        started = time.perf_counter()
        key = sealing.recover_tender_key(shares, bytes(tender.sealed_private_key))
        for bid in chosen:
            for line, sealed in per_line[bid.pk]:
                price = Decimal(sealing.unseal(key, sealed).decode())
                BidLine.objects.create(bid=bid, line_id=line, unit_price=price, amount=price)
                opened += 1
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, opened


def tender_open(args: argparse.Namespace) -> dict[str, Any]:
    """Open and score a tender of --bids bids x --lines lines: the opening service (one
    decryption per bid, lines written in bulk), both scoring members' scores and the
    evaluation; against decrypting each line on its own with one INSERT per line (measured on
    a few bids, scaled), plus the same scoring and evaluation."""
    from shared_apps.procurement.models import Bid, BidLine
    from shared_apps.procurement.services import evaluation, opening

    tender = _sealed_tender(args.bids, args.lines)
    admin = User.objects.get(username="bench-admin")
    sample = max(args.bids // 25, 1)
    naive, naive_lines = _naive_open(tender, sample)
    started = time.perf_counter()
    opening.tender_open(tender=tender, actor=admin)
    opened = time.perf_counter() - started
    valid = list(Bid.objects.filter(lot__tender=tender, status=Bid.Status.VALID))
    criteria = list(tender.criteria.all())
    started = time.perf_counter()
    for seat in tender.seats.filter(conflict=False).select_related("evaluator__user"):
        evaluation.scores_record(
            tender=tender,
            scores=[
                evaluation.GivenScore(bid.pk, c.pk, Decimal(5 + bid.pk % 5))
                for bid in valid
                for c in criteria
            ],
            actor=seat.evaluator.user,
        )
    evaluation.tender_evaluate(tender=tender, actor=admin)
    scored = time.perf_counter() - started
    lines = BidLine.objects.filter(bid__lot__tender=tender).count()
    return {
        "value": opened + scored,
        "baseline": naive * lines / naive_lines + scored,
        "bid_lines": lines,
        "opening": opened,
        "scoring": scored,
    }


# Procurement: a month of orders across the district, and the district's spend views. ----------


def _naive_spend(schools: list[School], first: date, last: date, today: date) -> Any:
    """The district's spend views computed naively: each school's lines loaded in turn (one
    query per school) and every figure summed in Python."""
    from collections import defaultdict

    from shared_apps.procurement.models import SpendLine
    from shared_apps.procurement.selectors import spend

    def tally() -> dict[str, Any]:
        zero = Decimal(0)
        return {
            "orders": set(),
            "lines": 0,
            "ordered": zero,
            "invoiced": zero,
            "reference_amount": zero,
            "savings": zero,
            "outside_contract_lines": 0,
            "outside_contract_amount": zero,
            "on_time": 0,
            "late": 0,
        }

    totals = tally()
    groups: dict[str, dict[Any, dict[str, Any]]] = {
        "school": defaultdict(tally),
        "category": defaultdict(tally),
        "supplier": defaultdict(tally),
    }
    names: dict[Any, str] = {}
    outside: dict[tuple[str, str], Any] = {}
    for school in schools:
        lines = (
            SpendLine.objects.across_schools()
            .filter(school=school, ordered_on__gte=first, ordered_on__lte=last)
            .select_related("supplier")
        )
        for row in lines:
            names[row.supplier_id] = row.supplier.name
            keys = (school.code, row.category, row.supplier_id)
            for t in (totals, *(groups[g][k] for g, k in zip(groups, keys, strict=True))):
                t["orders"].add((row.school_id, row.order_number))
                t["lines"] += 1
                t["ordered"] += row.amount
                t["invoiced"] += row.invoiced_amount
                if row.reference_price is not None:
                    t["reference_amount"] += row.reference_price * row.quantity
                    t["savings"] += (row.reference_price - row.unit_price) * row.quantity
                if row.contract_id is None:
                    t["outside_contract_lines"] += 1
                    t["outside_contract_amount"] += row.amount
                short = row.delivered_quantity < row.quantity
                t["on_time"] += row.delivered_on_time is True
                t["late"] += row.delivered_on_time is False or (
                    row.delivered_on_time is None and row.due_on < today and short
                )
            if row.contract_id is None:
                order = outside.setdefault(
                    (school.code, row.order_number),
                    [
                        school,
                        row.order_number,
                        row.supplier.name,
                        row.ordered_on,
                        0,
                        Decimal(0),
                        row.outside_contract_reason,
                    ],
                )
                order[4] += 1
                order[5] += row.amount

    def figures(t: dict[str, Any]) -> Any:
        return spend._figures({**t, "orders": len(t["orders"])})

    return spend.SpendSummary(
        date_from=first,
        date_to=last,
        generated_at=timezone.now(),
        totals=figures(totals),
        by_school=[
            spend.SpendGroup(s.code, s.name, figures(groups["school"][s.code]))
            for s in schools
            if s.code in groups["school"]
        ],
        by_category=[
            spend.SpendGroup(c, c, figures(t)) for c, t in sorted(groups["category"].items())
        ],
        by_supplier=[
            spend.SpendGroup(str(k), names[k], figures(t)) for k, t in groups["supplier"].items()
        ],
        outside_contract=[
            spend.OutsideOrder(s.code, s.name, number, supplier, on, n, amount, reason)
            for s, number, supplier, on, n, amount, reason in outside.values()
        ],
    )


def spend_month(args: argparse.Namespace) -> dict[str, Any]:
    """A month of orders for every school (--lines order lines each, six to an order, one
    order in ten outside any contract), written straight into the district's spend lines in
    bulk (placing orders is measured by the tests, not here); then the district's spend views
    for the month, figures and Excel workbook, against the same views computed naively (one
    query per school, sums in Python) and rendered alike. Both must agree to the fen."""
    from houqin.tenancy import SchoolScope
    from shared_apps.procurement.api.supply_renderers import spend_xlsx
    from shared_apps.procurement.credit_codes import credit_code_check_character
    from shared_apps.procurement.models import (
        CatalogueItem,
        Category,
        FrameworkContract,
        SpendLine,
        Supplier,
    )
    from shared_apps.procurement.selectors.spend import spend_summary

    today = timezone.localdate()
    month_end = today.replace(day=1) - timedelta(days=1)
    month = month_end.replace(day=1)
    categories = list(Category.values)
    suppliers = []
    for n in range(20):
        first_17 = f"91110105{n:09d}"
        suppliers.append(
            Supplier.objects.create(
                name=f"供应商{n}",
                credit_code=first_17 + credit_code_check_character(first_17),
                address="县城",
                contact_name="联系人",
                contact_phone="0371-6000000",
                categories=categories,
            )
        )
    items = CatalogueItem.objects.bulk_create(
        CatalogueItem(
            code=f"BENCH{n:03d}",
            name=f"品目{n}",
            category=categories[n % len(categories)],
            unit="kg",
            reference_price=Decimal("10.00") + n,
            reference_date=month,
        )
        for n in range(40)
    )
    # Eighteen suppliers under contract; the last two are bought from outside any contract.
    contracts = {
        s.pk: FrameworkContract.objects.create(
            number=f"BENCH-{s.pk}",
            supplier=s,
            category=Category.FOOD,
            valid_from=month,
            valid_to=month_end,
        )
        for s in suppliers[:18]
    }
    schools = list(School.objects.filter(code__startswith="s").order_by("code"))
    lines = []
    for i, school in enumerate(schools):
        for j in range(args.lines):
            supplier, item = suppliers[(i + j // 6) % 20], items[j % 40]
            contract = contracts.get(supplier.pk)
            quantity = Decimal(j % 7 + 1) + Decimal("0.125")
            price = item.reference_price - Decimal("0.37") * (j % 3)
            day = month + timedelta(days=j // 6 * 2 % 28)
            lines.append(
                SpendLine(
                    school=school,
                    order_line_id=j + 1,
                    order_number=f"PO{month:%Y%m}-{j // 6:06d}",
                    supplier=supplier,
                    contract=contract,
                    item=item,
                    description=item.name,
                    category=item.category,
                    ordered_on=day,
                    due_on=day + timedelta(days=2),
                    quantity=quantity,
                    unit_price=price,
                    amount=(quantity * price).quantize(Decimal("0.01")),
                    reference_price=item.reference_price,
                    outside_contract_reason="" if contract else "急用",
                    delivered_quantity=quantity if j % 5 else Decimal(0),
                    delivered_on_time=(j % 4 != 0) if j % 5 else None,
                    invoiced_amount=Decimal(0),
                )
            )
    SpendLine.objects.bulk_create(lines, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procurement_spendline")

    started = time.perf_counter()
    summary = spend_summary(
        date_from=month, date_to=month_end, today=today, scope=SchoolScope.every()
    )
    spend_xlsx(summary)
    ours = time.perf_counter() - started

    started = time.perf_counter()
    naive = _naive_spend(schools, month, month_end, today)
    spend_xlsx(naive)
    baseline = time.perf_counter() - started
    assert naive.totals == summary.totals, (naive.totals, summary.totals)
    assert len(naive.outside_contract) == len(summary.outside_contract)
    return {
        "value": ours,
        "baseline": baseline,
        "lines": len(lines),
        "outside_orders": len(summary.outside_contract),
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def _weight(client: Client, html: bytes) -> int:
    """What a first visit loads: the page and every stylesheet and script it names."""
    import re

    total = len(html)
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        total += len(b"".join(client.get(asset.decode()).streaming_content))  # type: ignore[attr-defined]
    return total


def pages(args: argparse.Namespace) -> dict[str, Any]:
    """Every page of both hosts (tests/pages/ declares them), opened `samples` times by a role
    that may open it: the slowest page's p95 and the median page's p95 in ms, against /healthz's
    p95 (a request that does nothing); the heaviest first load in KB, against the sign-in page's
    (the frame alone)."""
    from django.urls import resolve, reverse

    from demo_district.seed import seed_demo
    from tests.factories import user_with_role
    from tests.matrix import Scene
    from tests.pages import DISTRICT_PAGES, SCHOOL_PAGES

    if not args.naive:  # --naive: the pages on the tests' rows only (the smoke run)
        seed_demo()
    school = School.objects.exclude(schema_name="public").order_by("pk").first()
    assert school is not None
    hosts = [
        (school_host(school.code), "houqin.urls.school", SCHOOL_PAGES),
        ("localhost", "houqin.urls.district", DISTRICT_PAGES),
    ]
    p95s: dict[str, float] = {}
    heaviest = 0
    for host, urlconf, declared in hosts:
        # One client a host: a client builds its middleware chain on its first request, and
        # WhiteNoise's reads every static folder (16 s of the smoke run, profiled, when each page
        # had a client of its own).
        client = Client(SERVER_NAME=host)
        for name, spec in declared.items():
            if not spec.roles:
                continue
            url = reverse(name, urlconf=urlconf, kwargs=spec.build(Scene(school)))
            if "get" not in resolve(url, urlconf=urlconf).func.view_class.http_method_names:  # type: ignore[attr-defined]
                continue
            role = sorted(spec.roles)[0]
            client.force_login(user_with_role(role, None if role in DISTRICT_ROLES else school))
            first = client.get(url)
            heaviest = max(heaviest, _weight(client, first.content))
            p95s[f"{host}{url}"] = _p95(
                [_timed(client.get, url) * 1000 for _sample in range(args.samples)]
            )
    client = Client(SERVER_NAME="localhost")
    health = _p95([_timed(client.get, "/healthz") * 1000 for _sample in range(args.samples)])
    frame = _weight(client, client.get("/signin/").content)
    return {
        "worst_p95_ms": max(p95s.values()),
        "median_p95_ms": statistics.median(p95s.values()),
        "healthz_p95_ms": health,
        "heaviest_kb": heaviest / 1024,
        "frame_kb": frame / 1024,
        "pages": len(p95s),
        "slowest": sorted(p95s.items(), key=lambda item: -item[1])[:5],
    }


def optimiser(args: argparse.Namespace) -> dict[str, Any]:
    """A week of breakfasts and lunches from `--recipes` recipes: for one band (median of
    `--samples` runs) and for every band in turn (median of half as many), each against the
    greedy heuristic's best of `--rounds` passes; their costs and the checks each week meets."""
    from tests.bench.optimiser import build_library, checks_met, greedy, optimised

    recipes = build_library(args.recipes)
    one = [optimised("9-11") for _run in range(args.samples)]
    proposal = one[-1][1]
    greedy_seconds, greedy_cost, greedy_checks = greedy(proposal, args.rounds)
    every: list[float] = []
    every_greedy: list[float] = []
    for _run in range(max(args.samples // 2, 1)):
        weeks = [optimised(band) for band in AgeBand.values]
        every.append(sum(seconds for seconds, _p in weeks))
        every_greedy.append(sum(greedy(week, args.rounds)[0] for _s, week in weeks))
    return {
        "recipes": recipes,
        "one_band": statistics.median(seconds for seconds, _p in one),
        "one_band_greedy": greedy_seconds,
        "every_band": statistics.median(every),
        "every_band_greedy": statistics.median(every_greedy),
        "cost": float(proposal.cost),
        "greedy_cost": float(greedy_cost),
        "checks": checks_met(proposal.report),
        "greedy_checks": greedy_checks,
        "timed_out": any(p.solver["timed_out"] for _s, p in one),
    }


def transport(args: argparse.Namespace) -> dict[str, Any]:
    """GPS points ingested for `--buses` buses, `--points` each, by `--workers` processes,
    against the naive row-by-row baseline over `--naive-buses` of them (the same points per bus,
    the same processes); points per second each."""
    from tests.bench.transport import build_fleet, in_workers, ingest, naive

    vehicles = build_fleet(args.buses)
    seconds, points, alarms = in_workers(args.workers, ingest, vehicles, args.points)
    naive_seconds, naive_points, _naive_alarms = in_workers(
        args.workers, naive, vehicles[: args.naive_buses], args.points
    )
    return {
        "points": points,
        "alarms": alarms,
        "points_per_s": points / seconds,
        "naive_points_per_s": naive_points / naive_seconds,
        "seconds": seconds,
    }


def riders_boarding(args: argparse.Namespace) -> dict[str, Any]:
    """A morning's boarding and alighting across --schools schools from --start (100 events each)
    through the report service by --workers processes, against the single-event service over
    --naive-schools of them (the same processes), scaled to the same events; seconds each."""
    from tests.bench import riders
    from tests.bench.transport import in_workers

    schools = list(
        School.objects.filter(code__startswith="s").order_by("pk")[
            args.start : args.start + args.schools
        ]
    )
    started = time.perf_counter()
    mornings = riders.build(schools)
    built = time.perf_counter() - started
    seconds, sent, accepted = in_workers(args.workers, riders.report, mornings, 0)
    passages, notices = riders.recorded(schools)
    assert passages == notices == accepted == riders.RIDERS * 2 * len(schools), (
        passages,
        notices,
        accepted,
    )
    sample = schools[: args.naive_schools]
    riders.forget(sample)
    naive_seconds, _sent, naive_accepted = in_workers(
        args.workers, riders.naive, mornings[: len(sample)], 0
    )
    assert naive_accepted == riders.RIDERS * 2 * len(sample), naive_accepted
    return {
        "value": seconds,
        "baseline": naive_seconds * accepted / naive_accepted,
        "events": accepted,
        "sent": sent,
        "schools": len(schools),
        "naive_events": naive_accepted,
        "naive_seconds": naive_seconds,
        "build_seconds": built,
    }


# Upkeep: the SLA sweep across the district, a month's depreciation, a stock-take closed. -------

UPKEEP_SCHOOL = "u00000"


def _upkeep_school() -> School:
    """The school whose register the depreciation and stock-take figures use (made once)."""
    school = School.objects.filter(code=UPKEEP_SCHOOL).first()
    return school or school_create(
        actor=BENCH, code=UPKEEP_SCHOOL, name="校产学校", kind="nine_year"
    )


def repairs_sweep(args: argparse.Namespace) -> dict[str, Any]:
    """The SLA sweep as the beat runs it, school after school, over the first --schools schools
    with --requests open requests each (one in ten overdue): the timers service, against a naive
    sweep with one query per request; medians of --samples runs each, the escalations removed
    before every run. Both must escalate alike."""
    from tenant_apps.repairs.models import RepairEvent
    from tenant_apps.repairs.services.timers import requests_sweep
    from tenant_apps.repairs.tasks import SWEEP
    from tests.bench.upkeep import naive_sweep, open_requests

    now = timezone.now()
    requester = User.objects.get(username="bench-auditor")
    schemas = list(
        School.objects.filter(code__startswith="s")
        .order_by("pk")
        .values_list("schema_name", flat=True)[: args.schools]
    )
    for _schema in in_each_schema(schemas):
        open_requests(args.requests, requester, now)

    def forget() -> None:
        for _schema in in_each_schema(schemas):
            RepairEvent.objects.filter(kind=RepairEvent.Kind.ESCALATED).delete()

    ours: list[float] = []
    naive: list[float] = []
    for _sample in range(args.samples):
        forget()
        started = time.perf_counter()
        escalated = sum(
            requests_sweep(actor=SWEEP, now=now).escalated for _s in in_each_schema(schemas)
        )
        ours.append(time.perf_counter() - started)
        forget()
        started = time.perf_counter()
        naive_escalated = sum(naive_sweep(now) for _s in in_each_schema(schemas))
        naive.append(time.perf_counter() - started)
        assert escalated == naive_escalated > 0, (escalated, naive_escalated)
    return {
        "value": statistics.median(ours),
        "baseline": statistics.median(naive),
        "schools": len(schemas),
        "escalated": escalated,
    }


def depreciation_month(args: argparse.Namespace) -> dict[str, Any]:
    """One month's depreciation for a school of --assets fixed assets: the depreciation service,
    against working it out asset by asset with a save each; medians of --samples months (the
    months before this one). Both must agree by category to the fen."""
    from houqin.months import add_months
    from tenant_apps.assets.services.depreciation import depreciation_run
    from tests.bench.upkeep import naive_depreciation, register

    this_month = timezone.localdate().replace(day=1)
    ours: list[float] = []
    naive: list[float] = []
    with tenant_context(_upkeep_school()):
        register(args.assets, this_month)
        for sample in range(args.samples):
            month = add_months(this_month, -sample)
            started = time.perf_counter()
            run = depreciation_run(month=month, actor=BENCH)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            by_category = naive_depreciation(month)
            naive.append(time.perf_counter() - started)
            assert by_category == {k: Decimal(v) for k, v in run.by_category.items()}
    return {
        "value": statistics.median(ours),
        "baseline": statistics.median(naive),
        "assets": run.assets,
    }


def stocktake_close(args: argparse.Namespace) -> dict[str, Any]:
    """A stock-take of the rooms holding --scans assets, with as many scans (2 % missing, 2 %
    moved, 2 % surplus), closed and reconciled by the service, against a per-scan comparison;
    medians of --samples stock-takes. Run after depreciation_month, on its register; both must
    find the same discrepancies."""
    from tenant_apps.assets.models import Discrepancy
    from tenant_apps.assets.services.stocktakes import stock_take_close, stock_take_start
    from tests.bench.upkeep import counted_rooms, naive_reconcile, scans

    ours: list[float] = []
    naive: list[float] = []
    with tenant_context(_upkeep_school()):
        rooms = counted_rooms(args.scans)
        for sample in range(args.samples):
            stock_take = stock_take_start(
                name=f"盘点{sample}", full=False, rooms=rooms, actor=BENCH
            )
            expected = scans(stock_take, rooms, UPKEEP_SCHOOL)
            started = time.perf_counter()
            stock_take_close(stock_take=stock_take, actor=BENCH)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            found = naive_reconcile(stock_take)
            naive.append(time.perf_counter() - started)
            made = Discrepancy.objects.filter(stock_take=stock_take)
            assert found == expected, (found, expected)
            assert {k: made.filter(kind=k).count() for k in expected} == expected
        scanned = stock_take.scans.count()
    return {
        "value": statistics.median(ours),
        "baseline": statistics.median(naive),
        "scans": scanned,
    }


# Boarding: a term's bulk allocation, and a night's door events with the roll call. ------------

DORMS_SCHOOL = "b00000"


def _dorms_school() -> School:
    school = School.objects.filter(code=DORMS_SCHOOL).first()
    return school or school_create(
        actor=BENCH, code=DORMS_SCHOOL, name="寄宿学校", kind="nine_year"
    )


def dorms_bulk(args: argparse.Namespace) -> dict[str, Any]:
    """A term's allocation of --students boarders, grade by grade, by the bulk service, against
    one service call per pupil; both must house every pupil. The allocations are removed before
    each run; the last run's (the service's) stay for dorms_night."""
    from tenant_apps.dorms.models import Allocation
    from tenant_apps.dorms.services.allocations import allocation_bulk
    from tests.bench.dorms import GRADES, naive_bulk, school

    start = timezone.localdate() - timedelta(days=30)
    with tenant_context(_dorms_school()):
        school(args.students)
        Allocation.objects.all().delete()
        started = time.perf_counter()
        naive_made = naive_bulk(start, BENCH)
        naive = time.perf_counter() - started
        Allocation.objects.all().delete()
        started = time.perf_counter()
        rows = [
            row
            for grade in GRADES
            for row in allocation_bulk(start_date=start, grade=grade, actor=BENCH)
        ]
        ours = time.perf_counter() - started
        made = sum(row.code == "allocated" for row in rows)
        assert made == naive_made == args.students, (made, naive_made)
    return {"value": ours, "baseline": naive, "boarders": made}


def dorms_night(args: argparse.Namespace) -> dict[str, Any]:
    """Last night's --events door events ingested in one report and the roll call taken (the
    median of --samples nights, each from empty), against one insert per event and queries per
    boarder; run after dorms_bulk. Both must find every boarder alike."""
    from datetime import datetime as dt

    from tenant_apps.dorms.models import DoorEvent, RollCall
    from tenant_apps.dorms.selectors import roll_call_due
    from tenant_apps.dorms.services.nights import door_events_record, roll_call_take
    from tests.bench.dorms import naive_night, night_events

    night = timezone.localdate() - timedelta(days=1)
    ours: list[float] = []
    with tenant_context(_dorms_school()):
        due: dt = roll_call_due(night)
        events = night_events(args.events, due)
        for _sample in range(args.samples):
            DoorEvent.objects.all().delete()
            RollCall.objects.all().delete()
            started = time.perf_counter()
            door_events_record(events=events, actor=BENCH)
            roll_call = roll_call_take(night=night, actor=BENCH)
            ours.append(time.perf_counter() - started)
        found = dict(roll_call.entries.values_list("student_id", "status"))
        DoorEvent.objects.all().delete()
        RollCall.objects.all().delete()
        started = time.perf_counter()
        naive_found = naive_night(events, night, due)
        naive = time.perf_counter() - started
        assert found == naive_found, "the roll calls differ"
    counts = {s: list(found.values()).count(s) for s in ("in", "late", "absent")}
    return {
        "value": statistics.median(ours),
        "baseline": naive,
        "events": len(events),
        "samples": sorted(round(t, 3) for t in ours),
        **counts,
    }


STEPS = {
    f.__name__: f
    for f in [
        setup,
        provision_cold,
        fill,
        load_setup,
        stock_sample,
        provision_warm,
        migrate,
        throughput,
        visit,
        meals_setup,
        servings_day,
        claim_month,
        statements,
        tender_open,
        spend_month,
        pages,
        optimiser,
        transport,
        riders_boarding,
        repairs_sweep,
        depreciation_month,
        stocktake_close,
        dorms_bulk,
        dorms_night,
    ]
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--stop", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reconnect", type=int, default=200)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--naive", action="store_true")
    parser.add_argument("--bids", type=int, default=50)
    # Lines per tender lot (tender_open) or order lines per school (spend_month).
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--recipes", type=int, default=300)
    parser.add_argument("--assets", type=int, default=20_000)
    parser.add_argument("--scans", type=int, default=5_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--buses", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1080)
    parser.add_argument("--naive-buses", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--naive-schools", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(STEPS[args.step](args)))


if __name__ == "__main__":
    main()
