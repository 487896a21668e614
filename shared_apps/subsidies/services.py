"""Writes about subsidies: programmes, budgets, claims and disbursements.

Each service runs in one transaction. Services that move money lock the rows they change
(`SELECT ... FOR UPDATE`: the claim, then its budget), check the rule and raise a clear error;
the CHECK constraints on the rows are the last line of defence, turned into the same error.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from houqin.door import Actor, service
from houqin.duties import (
    CLAIM_APPROVAL,
    CLAIM_SUBMISSION,
    SUPPLEMENT_APPROVAL,
    ensure_separate,
)
from houqin.exceptions import Conflict, InvalidInput
from houqin.money import ZERO
from houqin.months import month_bounds
from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.accounts.actors import person
from shared_apps.subsidies import selectors
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    ClaimEvent,
    Disbursement,
    MonthCorrection,
    Programme,
)
from tenant_apps.canteen import selectors as canteen
from tenant_apps.dorms import selectors as dorms
from tenant_apps.people import selectors as people
from tenants.models import School

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")


def _money(value: Decimal, field: str, *, positive: bool = False) -> Decimal:
    value = Decimal(value)
    if value != value.quantize(CENT) or value > MAX_MONEY or value < 0:
        raise InvalidInput(
            _("An amount of money is at most 999999999999.99 CNY, with at most two decimals."),
            fields={field: [_("Invalid amount.")]},
        )
    if positive and value <= 0:
        raise InvalidInput(_("The amount must be positive."), fields={field: [_("Not positive.")]})
    return value.quantize(CENT)


def _over_budget(budget: Budget, amount: Decimal) -> Conflict:
    return Conflict(
        _("Over budget: the claim needs %(amount)s CNY, the budget has %(available)s CNY left.")
        % {"amount": amount, "available": budget.available},
        code="over_budget",
    )


# Programmes ------------------------------------------------------------------------------------


@service
def programme_create(
    *,
    code: str,
    name: str,
    daily_rate: Decimal = Decimal("5.00"),
    primary_rate: Decimal | None = None,
    junior_rate: Decimal | None = None,
    basis: str = Programme.Basis.SERVED_DAY,
    students: str = Programme.Students.ANY,
    carry_over: str = Programme.CarryOver.NONE,
    active: bool = True,
    actor: Actor,
) -> Programme:
    """A new programme: whom it is for (`students`) and what it pays per what (`basis`,
    `daily_rate`, and by school stage `primary_rate`, `junior_rate` when it counts students).
    Schools record eligibility for it and claim under it from then on, with no change to the
    code."""
    if Programme.objects.filter(code=code).exists():
        raise Conflict(_("A programme with this code exists."), code="duplicate_programme")
    programme = Programme(
        code=code,
        name=name.strip(),
        daily_rate=_money(daily_rate, "daily_rate", positive=True),
        basis=basis,
        students=students,
        carry_over=carry_over,
        active=active,
    )
    _stage_rate_set(programme, "primary_rate", primary_rate)
    _stage_rate_set(programme, "junior_rate", junior_rate)
    programme.save()
    return programme


def _stage_rate_set(programme: Programme, field: str, rate: Decimal | None) -> None:
    """Put a rate by school stage on `programme` (not saved): positive, or None for none; a
    programme paid per served day has none."""
    value = None if rate is None else _money(rate, field, positive=True)
    if value is not None and programme.basis == Programme.Basis.SERVED_DAY:
        message = _("Only a programme that counts students (per head, per term) pays by stage.")
        raise InvalidInput(message, code="stage_rate_not_allowed", fields={field: [message]})
    setattr(programme, field, value)


class ProgrammeChanges(TypedDict, total=False):
    name: str
    daily_rate: Decimal
    primary_rate: Decimal | None
    junior_rate: Decimal | None
    carry_over: str
    active: bool


@service
def programme_update(
    *, programme: Programme, actor: Actor, **changes: Unpack[ProgrammeChanges]
) -> Programme:
    """Change a programme's name, rates, rule or activity (a stage's rate set to None: that
    stage is paid the programme's rate). New rates apply to claims computed from now on; a
    claim keeps the rates it was computed with."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if "daily_rate" in changes:
        changes["daily_rate"] = _money(changes["daily_rate"], "daily_rate", positive=True)
    for field in ("name", "daily_rate", "carry_over", "active"):
        if field in changes:
            setattr(locked, field, changes[field])
    if "primary_rate" in changes:
        _stage_rate_set(locked, "primary_rate", changes["primary_rate"])
    if "junior_rate" in changes:
        _stage_rate_set(locked, "junior_rate", changes["junior_rate"])
    locked.save()
    return locked


# Budgets ---------------------------------------------------------------------------------------


@service
def budget_allocate(
    *,
    programme: Programme,
    school: School,
    period_start: date,
    period_end: date,
    allocated: Decimal,
    budget_year: int | None = None,
    actor: Actor,
) -> Budget:
    if period_end < period_start:
        raise InvalidInput(
            _("The period ends before it starts."), fields={"period_end": [_("Before start.")]}
        )
    allocated = _money(allocated, "allocated")
    overlapping = Budget.objects.for_school(school).filter(
        programme=programme,
        period_start__lte=period_end,
        period_end__gte=period_start,
    )
    if overlapping.exists():
        raise Conflict(
            _("This school already has a budget of this programme overlapping that period."),
            code="overlapping_budget",
        )
    try:
        with transaction.atomic():
            return Budget.objects.create(
                programme=programme,
                school=school,
                budget_year=budget_year or period_start.year,
                period_start=period_start,
                period_end=period_end,
                allocated=allocated,
            )
    except IntegrityError:
        # A concurrent allocation of the same period won the unique constraint.
        raise Conflict(
            _("This school already has a budget of this programme for that period."),
            code="overlapping_budget",
        ) from None


def _supplement_fits(budget: Budget, amount: Decimal) -> None:
    if budget.allocated + budget.supplemented + amount > MAX_MONEY:
        raise InvalidInput(
            _("A budget holds at most 999999999999.99 CNY."), fields={"amount": [str(amount)]}
        )


@service
def budget_supplement(
    *, budget: Budget, amount: Decimal, reason: str, actor: Actor
) -> BudgetSupplement:
    """A finance officer proposes adding money to a school's budget after allocating it
    (追加预算), saying why. It counts once another finance officer approves it."""
    amount = _money(amount, "amount", positive=True)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("A supplementary budget needs a reason."),
            fields={"reason": [_("This field is required.")]},
        )
    _supplement_fits(budget, amount)
    return BudgetSupplement.objects.create(
        budget=budget, amount=amount, reason=reason, added_by=person(actor)
    )


@service
def budget_supplement_approve(*, supplement: BudgetSupplement, actor: Actor) -> BudgetSupplement:
    """Another finance officer approves a proposed supplement: the budget holds it from now on.
    The budget row is locked as claim approvals lock it, so a supplement and a claim approved at
    the same moment are taken one after the other and both count."""
    locked = BudgetSupplement.objects.across_schools().select_for_update().get(pk=supplement.pk)
    if locked.status != BudgetSupplement.Status.PROPOSED:
        raise Conflict(
            _("This supplementary budget is already approved."), code="supplement_approved"
        )
    ensure_separate(SUPPLEMENT_APPROVAL, record=locked, actor=actor)
    budgets = Budget.objects.across_schools()
    budget = budgets.select_for_update().get(pk=locked.budget_id)
    _supplement_fits(budget, locked.amount)
    budgets.filter(pk=budget.pk).update(supplemented=F("supplemented") + locked.amount)
    locked.status = BudgetSupplement.Status.APPROVED
    locked.approved_by = person(actor)
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    return locked


@service
def budget_carry_over(*, from_budget: Budget, to_budget: Budget, actor: Actor) -> Budget:
    """Move what is left of `from_budget` into `to_budget`, by the programme's rule: only to the
    next period of the same programme, school and budget year. Returns the receiving budget."""
    # Lock both rows in id order, so two carry-overs never wait on each other in a circle.
    ids = sorted([from_budget.pk, to_budget.pk])
    budgets = Budget.objects.across_schools()
    locked = {b.pk: b for b in budgets.select_for_update().filter(pk__in=ids).order_by("pk")}
    source, target = locked[from_budget.pk], locked[to_budget.pk]
    programme = source.programme
    if programme.carry_over != Programme.CarryOver.NEXT_PERIOD:
        raise Conflict(
            _("The programme %(programme)s does not carry surplus over.")
            % {"programme": programme.code},
            code="carry_over_not_allowed",
        )
    if (source.programme_id, source.school_id, source.budget_year) != (
        target.programme_id,
        target.school_id,
        target.budget_year,
    ):
        raise InvalidInput(
            _("Surplus carries over only within one programme, school and budget year."),
            code="carry_over_not_allowed",
        )
    next_period = (
        Budget.objects.for_school(source.school_id)
        .filter(programme_id=source.programme_id, period_start__gt=source.period_end)
        .order_by("period_start")
        .first()
    )
    if next_period is None or next_period.pk != target.pk:
        raise InvalidInput(
            _("Surplus carries over only to the next period."), code="carry_over_not_allowed"
        )
    if source.claims.filter(status=Claim.Status.SUBMITTED).exists():
        raise Conflict(
            _("Claims against this budget still await a decision."), code="claims_pending"
        )
    surplus = source.available
    if surplus <= 0:
        raise Conflict(_("Nothing is left to carry over."), code="nothing_to_carry")
    budgets.filter(pk=source.pk).update(carried_out=F("carried_out") + surplus)
    budgets.filter(pk=target.pk).update(carried_in=F("carried_in") + surplus)
    target.refresh_from_db()
    return target


# Claims ----------------------------------------------------------------------------------------


# The school stages a programme may pay apart, by the key `Computation.per_stage` counts them
# under; students of no stage (above grade 9) are counted under NO_STAGE.
STAGES = ("primary", "junior")
NO_STAGE = "none"


@dataclass(frozen=True)
class Rates:
    """What a programme pays per unit, or what a claim was computed at: one rate, and a rate
    for each school stage that has its own."""

    rate: Decimal
    primary: Decimal | None = None
    junior: Decimal | None = None

    @classmethod
    def of(cls, row: Programme | Claim) -> "Rates":
        return cls(row.daily_rate, row.primary_rate, row.junior_rate)

    @property
    def staged(self) -> bool:
        return self.primary is not None or self.junior is not None

    def for_stage(self, stage: str) -> Decimal:
        by_stage = {"primary": self.primary, "junior": self.junior}
        return by_stage.get(stage) or self.rate


@dataclass(frozen=True)
class Computation:
    """What the school's records say about one month under one programme: the units its basis
    counts on each day (eligible students served per school day; eligible students at school
    per school day, or on the first school day of each term), the units to pay, and (for a
    basis that counts students) those units by the students' school stage."""

    per_day: dict[date, int]
    units: int
    school_days: int
    per_stage: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def student_days(self) -> int:
        return self.units

    def amount(self, rates: Rates) -> Decimal:
        """The units at their rates, to the fen: each stage's at its own rate when the rates
        have stages, all at the one rate otherwise."""
        if rates.staged and self.per_stage:
            total = sum(
                (rates.for_stage(stage) * units for stage, units in self.per_stage.items()),
                ZERO,
            )
            return total.quantize(CENT)
        return (rates.rate * self.units).quantize(CENT)

    def breakdown(self) -> dict[str, int]:
        return {day.isoformat(): n for day, n in self.per_day.items()}


def _claim_computation(*, school: School, programme: Programme, month: date) -> Computation:
    """Count, in the school's own schema, what `programme` pays for in the month, by its basis:
    per served school day, the eligible students served each school day (each at most once a
    day, however many meals they ate); per head, the eligible students at school on at least
    one school day; per term, the eligible students at school on the first school day of each
    term beginning in the month. A programme for boarders counts only the students holding a
    bed on the day counted."""
    start, end = month_bounds(month)
    with tenant_context(school):
        days = list(canteen.school_days_between(start, end))
        if programme.basis == Programme.Basis.SERVED_DAY:
            counts = canteen.subsidised_student_days(
                start=start, end=end, programme=programme.code, school_days=days
            )
            # Only school days count, whatever else a selector returns.
            per_day = {day: int(counts.get(day, 0)) for day in sorted(set(days))}
            units = sum(per_day.values())
        else:
            counted = (
                days
                if programme.basis == Programme.Basis.PER_HEAD
                else canteen.term_first_days_between(start, end)
            )
            students = people.eligible_students_by_day(programme=programme.code, days=counted)
            if programme.students == Programme.Students.BOARDERS:
                # Boarders are those holding a bed that day, by the dorms' allocations.
                boarders = dorms.boarders_by_day(counted)
                students = {day: ids & boarders[day] for day, ids in students.items()}
            per_day = {day: len(students[day]) for day in sorted(students)}
            # Each student once per head; once on each term's first day per term.
            counted_ids: list[int] = (
                list(set().union(*students.values()))
                if programme.basis == Programme.Basis.PER_HEAD
                else [pk for day in sorted(students) for pk in students[day]]
            )
            units = len(counted_ids)
            stages = dorms.stages_by_student(set(counted_ids))
            per_stage = dict.fromkeys((*STAGES, NO_STAGE), 0)
            for pk in counted_ids:
                per_stage[stages.get(pk) or NO_STAGE] += 1
            return Computation(
                per_day=per_day, units=units, school_days=len(days), per_stage=per_stage
            )
    if any(n < 0 for n in per_day.values()):
        raise InvalidInput(_("The canteen reported a negative count."))
    return Computation(per_day=per_day, units=units, school_days=len(days))


def _event(
    claim: Claim, kind: str, actor: Actor, *, amount: Decimal | None, note: str = ""
) -> None:
    ClaimEvent.objects.create(claim=claim, kind=kind, actor=person(actor), amount=amount, note=note)


def _budget_for(*, programme: Programme, school: School, month: date) -> Budget:
    start, end = month_bounds(month)
    budget = (
        Budget.objects.for_school(school)
        .filter(programme=programme, period_start__lte=start, period_end__gte=end)
        .first()
    )
    if budget is None:
        raise InvalidInput(
            _("No budget of %(programme)s covers %(month)s for this school.")
            % {"programme": programme.code, "month": f"{month:%Y-%m}"},
            code="no_budget",
            fields={"month": [_("No budget covers this month.")]},
        )
    return budget


def _counted(claim: Claim, computation: Computation) -> None:
    """Put what the records say on the claim (not saved)."""
    claim.basis = claim.programme.basis
    claim.breakdown = computation.breakdown()
    claim.school_days = computation.school_days
    claim.student_days = computation.units
    claim.stage_units = computation.per_stage if Rates.of(claim).staged else {}


def _computed_note(claim: Claim) -> str:
    note = _("%(units)s units (%(basis)s) on %(school_days)s school days at %(rate)s CNY") % {
        "units": claim.student_days,
        "basis": claim.get_basis_display(),
        "school_days": claim.school_days,
        "rate": claim.daily_rate,
    }
    if not claim.stage_units:
        return note
    rates = Rates.of(claim)
    return note + _(
        " (by stage: %(primary)s primary at %(primary_rate)s CNY, %(junior)s junior secondary "
        "at %(junior_rate)s CNY, %(none)s other at %(rate)s CNY)"
    ) % {
        "primary": claim.stage_units.get("primary", 0),
        "primary_rate": rates.for_stage("primary"),
        "junior": claim.stage_units.get("junior", 0),
        "junior_rate": rates.for_stage("junior"),
        "none": claim.stage_units.get(NO_STAGE, 0),
        "rate": rates.rate,
    }


def _month_claim(*, school: School, programme: Programme, month: date) -> Claim | None:
    """The month's live claim (not rejected), locked."""
    return (
        Claim.objects.for_school(school)
        .select_for_update()
        .filter(programme=programme, month=month, kind=Claim.Kind.CLAIM)
        .exclude(status=Claim.Status.REJECTED)
        .first()
    )


@service
def claim_compute(*, school: School, programme: Programme, month: date, actor: Actor) -> Claim:
    """Compute (or recompute, while still a draft) a school's claim for one month. Once the
    month is closed (its claim submitted), compute its adjustment instead: the difference
    between what the records now say and what was claimed (409 `nothing_to_adjust` when they
    agree)."""
    if not programme.active:
        raise InvalidInput(_("This programme is not active."), code="programme_inactive")
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise InvalidInput(
            _("A month can be claimed once it has begun."), fields={"month": [_("In the future.")]}
        )
    # Read the school's records first, before any row is locked: nothing is written there.
    computation = _claim_computation(school=school, programme=programme, month=month)
    with schema_context("public"):
        budget = _budget_for(programme=programme, school=school, month=month)
        claim = _month_claim(school=school, programme=programme, month=month)
        if claim is not None and claim.status != Claim.Status.DRAFT:
            adjustment = _adjustment_computed(claim, computation, actor=actor)
            if adjustment is None:
                raise Conflict(
                    _(
                        "The claim for this month is already %(status)s, and the school's records "
                        "agree with it: there is nothing to adjust."
                    )
                    % {"status": claim.get_status_display()},
                    code="nothing_to_adjust",
                )
            return adjustment
        if claim is None:
            claim = Claim(programme=programme, school=school, month=month)
        claim.daily_rate = programme.daily_rate
        claim.primary_rate = programme.primary_rate
        claim.junior_rate = programme.junior_rate
        _counted(claim, computation)
        claim.budget = budget
        claim.amount = computation.amount(Rates.of(claim))
        claim.computed_at = timezone.now()
        claim.computed_by = person(actor)
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError:
            raise Conflict(
                _("Someone else is computing this claim; try again."), code="claim_busy"
            ) from None
        _event(
            claim, ClaimEvent.Kind.COMPUTED, actor, amount=claim.amount, note=_computed_note(claim)
        )
        return claim


def _counted_days(breakdown: dict[str, int]) -> dict[str, int]:
    """The days on which a claim counted anything, and what."""
    return {day: units for day, units in breakdown.items() if units}


@service
def claim_compute_after_month(
    *, school: School, programme: Programme, month: date, actor: Actor
) -> Claim:
    """Compute (or recompute) a month's claim as `claim_compute` does, once the month's school
    days are over: from its last school day on. Before that it is refused, saying from when."""
    start, end = month_bounds(month)
    with tenant_context(school):
        days = canteen.school_days_between(start, end)
    last = days[-1] if days else end
    if timezone.localdate() < last:
        message = _(
            "%(month)s is not over: its claim can be computed from its last school day, %(day)s."
        ) % {"month": f"{start:%Y-%m}", "day": last.isoformat()}
        raise InvalidInput(message, code="month_not_over", fields={"month": [message]})
    return claim_compute(school=school, programme=programme, month=start, actor=actor)


def _locked(claim: Claim, *expected: str) -> Claim:
    locked = Claim.objects.for_school(claim.school_id).select_for_update().get(pk=claim.pk)
    if locked.status not in expected:
        raise Conflict(
            _("The claim is %(status)s.") % {"status": locked.get_status_display()},
            code=f"claim_{locked.status}",
        )
    return locked


@service
def claim_submit(*, claim: Claim, actor: Actor) -> Claim:
    """The principal submits the month's claim (or an adjustment of it) to the district.
    Submitting the month's claim closes the school's month for what it counted: it waits for
    the changes to the month under way, and is refused (409 `claim_stale`) when they changed
    what the draft counted; changes after it are corrections."""
    locked = _locked(claim, Claim.Status.DRAFT)
    ensure_separate(CLAIM_SUBMISSION, record=locked, actor=actor)
    if locked.kind == Claim.Kind.CLAIM:
        selectors.months_hold(school_id=locked.school_id, months=[locked.month], exclusive=True)
        now = _claim_computation(
            school=locked.school, programme=locked.programme, month=locked.month
        )
        if _counted_days(now.breakdown()) != _counted_days(locked.breakdown):
            raise Conflict(
                _(
                    "The school's records for %(month)s changed since the claim was computed: "
                    "compute it again, then submit it."
                )
                % {"month": f"{locked.month:%Y-%m}"},
                code="claim_stale",
            )
    elif locked.amount == 0:
        raise Conflict(
            _("This adjustment comes to 0.00 CNY: there is nothing to submit."),
            code="nothing_to_adjust",
        )
    budget = Budget.objects.for_school(locked.school_id).get(pk=locked.budget_id)
    if locked.amount > budget.available:
        raise _over_budget(budget, locked.amount)
    locked.status = Claim.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = person(actor)
    locked.save(update_fields=["status", "submitted_at", "submitted_by"])
    _event(locked, ClaimEvent.Kind.SUBMITTED, actor, amount=locked.amount)
    return locked


@service
def claim_approve(*, claim: Claim, actor: Actor) -> Claim:
    """The district approves a submitted claim: its amount is committed against the budget. A
    negative adjustment returns its amount to the budget."""
    locked = _locked(claim, Claim.Status.SUBMITTED)
    ensure_separate(CLAIM_APPROVAL, record=locked, actor=actor)
    # The budget row lock serialises every approval against this budget.
    budgets = Budget.objects.for_school(locked.school_id)
    budget = budgets.select_for_update().get(pk=locked.budget_id)
    if locked.amount > budget.available:
        raise _over_budget(budget, locked.amount)
    if locked.amount < 0:
        _refuse_returning_more_than_paid(locked)
    try:
        with transaction.atomic():
            budgets.filter(pk=budget.pk).update(committed=F("committed") + locked.amount)
    except IntegrityError:
        raise _over_budget(budget, locked.amount) from None
    locked.status = Claim.Status.APPROVED
    locked.decided_at = timezone.now()
    locked.decided_by = person(actor)
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    _event(locked, ClaimEvent.Kind.APPROVED, actor, amount=locked.amount)
    return locked


@service
def claim_reject(*, claim: Claim, reason: str, actor: Actor) -> Claim:
    """The district sends a submitted claim back, saying why; the school may compute it anew
    (a month claim sent back opens its month again)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("A rejection needs a reason."), fields={"reason": [_("This field is required.")]}
        )
    locked = _locked(claim, Claim.Status.SUBMITTED)
    locked.status = Claim.Status.REJECTED
    locked.reason = reason
    locked.decided_at = timezone.now()
    locked.decided_by = person(actor)
    locked.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    _event(locked, ClaimEvent.Kind.REJECTED, actor, amount=None, note=reason)
    return locked


@service
def disbursement_record(
    *, claim: Claim, amount: Decimal, paid_on: date, reference: str, actor: Actor
) -> Disbursement:
    """Record money paid out against an approved claim; the claim is paid once it is all out.
    For a negative adjustment, record money the school returned, up to the adjustment."""
    amount = _money(amount, "amount", positive=True)
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(
            _("A disbursement needs a payment reference."),
            fields={"reference": [_("This field is required.")]},
        )
    locked = _locked(claim, Claim.Status.APPROVED)
    returned = locked.amount < 0
    moved = -amount if returned else amount
    if abs(locked.disbursed + moved) > abs(locked.amount):
        raise Conflict(
            _("This would move %(total)s CNY on a claim of %(amount)s CNY.")
            % {"total": abs(locked.disbursed + moved), "amount": abs(locked.amount)},
            code="over_disbursed",
        )
    disbursement = Disbursement.objects.create(
        claim=locked, amount=amount, paid_on=paid_on, reference=reference, recorded_by=person(actor)
    )
    locked.disbursed += moved
    if locked.disbursed == locked.amount:
        locked.status = Claim.Status.PAID
    locked.save(update_fields=["disbursed", "status"])
    kind = ClaimEvent.Kind.RETURNED if returned else ClaimEvent.Kind.PAID
    _event(locked, kind, actor, amount=amount, note=reference)
    return disbursement


# Closed months: corrections and adjustments ------------------------------------------------------


def _chain(month_claim: Claim) -> SchoolOwnedQuerySet[Claim]:
    return Claim.objects.for_school(month_claim.school_id).filter(corrects=month_claim)


def _paid_for_month(month_claim: Claim) -> Decimal:
    """What the district paid for the month so far, less what the school returned."""
    live = _chain(month_claim).exclude(status__in=[Claim.Status.DRAFT, Claim.Status.REJECTED])
    paid: Decimal = month_claim.disbursed + sum((c.disbursed for c in live), ZERO)
    return paid


def _refuse_returning_more_than_paid(claim: Claim, month_claim: Claim | None = None) -> None:
    month_claim = month_claim or claim.corrects
    assert month_claim is not None
    paid = _paid_for_month(month_claim)
    if -claim.amount > paid:
        raise Conflict(
            _(
                "The adjustment would take back %(amount)s CNY, but %(paid)s CNY was paid for "
                "%(month)s: decide and pay the month's claim first."
            )
            % {"amount": -claim.amount, "paid": paid, "month": f"{claim.month:%Y-%m}"},
            code="adjustment_exceeds_paid",
        )


def _adjustment_computed(
    month_claim: Claim, computation: Computation, *, actor: Actor
) -> Claim | None:
    """The month's open adjustment, computed anew from `computation` at the rate the month was
    claimed at: the difference from what the month's claim and its live adjustments asked for.
    Opened when the difference is not zero; None when there is no open one and nothing to
    adjust. Refused (409 `adjustment_exceeds_paid`) when it would take back more than was paid."""
    claims = _chain(month_claim)
    asked = claims.exclude(status__in=[Claim.Status.DRAFT, Claim.Status.REJECTED])
    before = month_claim.amount + sum((c.amount for c in asked), ZERO)
    total = computation.amount(Rates.of(month_claim))
    draft = claims.select_for_update().filter(status=Claim.Status.DRAFT).first()
    if draft is None and total == before:
        return None
    if draft is None:
        draft = Claim(
            programme=month_claim.programme,
            school=month_claim.school,
            budget=month_claim.budget,
            month=month_claim.month,
            kind=Claim.Kind.ADJUSTMENT,
            corrects=month_claim,
            daily_rate=month_claim.daily_rate,
            primary_rate=month_claim.primary_rate,
            junior_rate=month_claim.junior_rate,
        )
    _counted(draft, computation)
    draft.amount = total - before
    draft.claimed_before = before
    draft.computed_at = timezone.now()
    draft.computed_by = person(actor)
    if draft.amount < 0:
        _refuse_returning_more_than_paid(draft, month_claim)
    draft.save()
    _event(draft, ClaimEvent.Kind.COMPUTED, actor, amount=draft.amount, note=_computed_note(draft))
    return draft


@service
def month_corrections_record(
    *, claims: Sequence[Claim], change: str, detail: str, reason: str, actor: Actor
) -> list[MonthCorrection]:
    """Record a change made to closed months (`claims`: the claims that closed them), who made
    it and why, and compute each month's adjustment from the school's records as they now are
    (in the same transaction as the change). The caller (`closing`) checked that the actor may
    correct them and gave a reason; the table refuses a correction without one."""
    reason = (reason or "").strip()
    corrections = []
    for claim in claims:
        month_claim = Claim.objects.for_school(claim.school_id).select_for_update().get(pk=claim.pk)
        computation = _claim_computation(
            school=month_claim.school, programme=month_claim.programme, month=month_claim.month
        )
        with schema_context("public"):
            adjustment = _adjustment_computed(month_claim, computation, actor=actor)
            corrections.append(
                MonthCorrection.objects.create(
                    school_id=month_claim.school_id,
                    claim=month_claim,
                    month=month_claim.month,
                    change=change,
                    detail=detail,
                    reason=reason,
                    adjustment=adjustment,
                    corrected_by=person(actor),
                )
            )
            _event(
                month_claim,
                ClaimEvent.Kind.CORRECTED,
                actor,
                amount=None,
                note=f"{detail}: {reason}",
            )
    return corrections


__all__ = [
    "Computation",
    "Rates",
    "budget_allocate",
    "budget_carry_over",
    "budget_supplement",
    "budget_supplement_approve",
    "claim_approve",
    "claim_compute",
    "claim_compute_after_month",
    "claim_reject",
    "claim_submit",
    "disbursement_record",
    "month_corrections_record",
    "programme_create",
    "programme_update",
]
