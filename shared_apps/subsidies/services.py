"""Writes about subsidies: programmes, budgets, claims and disbursements.

Each service runs in one transaction. Services that move money lock the rows they change
(`SELECT ... FOR UPDATE`: the claim, then its budget), check the rule and raise a clear error;
the CHECK constraints on the rows are the last line of defence, turned into the same error.
"""

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
from houqin.months import month_bounds
from shared_apps.accounts.actors import person
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    ClaimEvent,
    Disbursement,
    Programme,
)
from tenant_apps.canteen import selectors as canteen
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
    carry_over: str = Programme.CarryOver.NONE,
    active: bool = True,
    actor: Actor,
) -> Programme:
    if Programme.objects.filter(code=code).exists():
        raise Conflict(_("A programme with this code exists."), code="duplicate_programme")
    return Programme.objects.create(
        code=code,
        name=name.strip(),
        daily_rate=_money(daily_rate, "daily_rate", positive=True),
        carry_over=carry_over,
        active=active,
    )


class ProgrammeChanges(TypedDict, total=False):
    name: str
    daily_rate: Decimal
    carry_over: str
    active: bool


@service
def programme_update(
    *, programme: Programme, actor: Actor, **changes: Unpack[ProgrammeChanges]
) -> Programme:
    """Change a programme's name, rate, rule or activity. A new rate applies to claims computed
    from now on; a claim keeps the rate it was computed with."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if "daily_rate" in changes:
        changes["daily_rate"] = _money(changes["daily_rate"], "daily_rate", positive=True)
    for field in ("name", "daily_rate", "carry_over", "active"):
        if field in changes:
            setattr(locked, field, changes[field])
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


@dataclass(frozen=True)
class Computation:
    """What the canteen's records say about one month: student-days per school day."""

    per_day: dict[date, int]

    @property
    def student_days(self) -> int:
        return sum(self.per_day.values())


def _claim_computation(*, school: School, programme: Programme, month: date) -> Computation:
    """Count, in the school's own schema, the eligible students served on each school day of the
    month (the canteen counts each student at most once a day, however many meals they ate)."""
    start, end = month_bounds(month)
    with tenant_context(school):
        days = list(canteen.school_days_between(start, end))
        counts = canteen.subsidised_student_days(
            start=start, end=end, programme=programme.code, school_days=days
        )
    school_days = set(days)
    # Only school days count, whatever else a selector returns.
    per_day = {day: int(counts.get(day, 0)) for day in sorted(school_days)}
    if any(n < 0 for n in per_day.values()):
        raise InvalidInput(_("The canteen reported a negative count."))
    return Computation(per_day=per_day)


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


@service
def claim_compute(*, school: School, programme: Programme, month: date, actor: Actor) -> Claim:
    """Compute (or recompute, while still a draft) a school's claim for one month."""
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
        rate = programme.daily_rate
        amount = (rate * computation.student_days).quantize(CENT)
        values = {
            "budget": budget,
            "breakdown": {d.isoformat(): n for d, n in computation.per_day.items()},
            "school_days": len(computation.per_day),
            "student_days": computation.student_days,
            "daily_rate": rate,
            "amount": amount,
            "computed_at": timezone.now(),
            "computed_by": person(actor),
        }
        claim = (
            Claim.objects.for_school(school)
            .select_for_update()
            .filter(programme=programme, month=month)
            .exclude(status=Claim.Status.REJECTED)
            .first()
        )
        if claim is not None and claim.status != Claim.Status.DRAFT:
            raise Conflict(
                _("The claim for this month is already %(status)s.")
                % {"status": claim.get_status_display()},
                code="claim_not_draft",
            )
        try:
            with transaction.atomic():
                if claim is None:
                    claim = Claim.objects.create(
                        programme=programme, school=school, month=month, **values
                    )
                else:
                    for field, value in values.items():
                        setattr(claim, field, value)
                    claim.save()
        except IntegrityError:
            raise Conflict(
                _("Someone else is computing this claim; try again."), code="claim_busy"
            ) from None
        _event(
            claim,
            ClaimEvent.Kind.COMPUTED,
            actor,
            amount=amount,
            note=_("%(days)s student-days on %(school_days)s school days at %(rate)s CNY")
            % {"days": claim.student_days, "school_days": claim.school_days, "rate": rate},
        )
        return claim


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
    """The principal submits the month's claim to the district."""
    locked = _locked(claim, Claim.Status.DRAFT)
    ensure_separate(CLAIM_SUBMISSION, record=locked, actor=actor)
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
    """The district approves a submitted claim: its amount is committed against the budget."""
    locked = _locked(claim, Claim.Status.SUBMITTED)
    ensure_separate(CLAIM_APPROVAL, record=locked, actor=actor)
    # The budget row lock serialises every approval against this budget.
    budgets = Budget.objects.for_school(locked.school_id)
    budget = budgets.select_for_update().get(pk=locked.budget_id)
    if locked.amount > budget.available:
        raise _over_budget(budget, locked.amount)
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
    """The district sends a submitted claim back, saying why; the school may compute it anew."""
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
    """Record money paid out against an approved claim; the claim is paid once it is all out."""
    amount = _money(amount, "amount", positive=True)
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(
            _("A disbursement needs a payment reference."),
            fields={"reference": [_("This field is required.")]},
        )
    locked = _locked(claim, Claim.Status.APPROVED)
    if locked.disbursed + amount > locked.amount:
        raise Conflict(
            _("This would pay out %(total)s CNY on a claim of %(amount)s CNY.")
            % {"total": locked.disbursed + amount, "amount": locked.amount},
            code="over_disbursed",
        )
    disbursement = Disbursement.objects.create(
        claim=locked, amount=amount, paid_on=paid_on, reference=reference, recorded_by=person(actor)
    )
    locked.disbursed += amount
    if locked.disbursed == locked.amount:
        locked.status = Claim.Status.PAID
    locked.save(update_fields=["disbursed", "status"])
    _event(locked, ClaimEvent.Kind.PAID, actor, amount=amount, note=reference)
    return disbursement


__all__ = [
    "Computation",
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
    "programme_create",
    "programme_update",
]
