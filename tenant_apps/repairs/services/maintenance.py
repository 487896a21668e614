"""Preventive maintenance (预防性维护): plans for one asset or every asset of a category, by the
calendar or by a meter, raising work orders at the repair desk ahead of time (by the plan's lead
days, or as soon as the meter reaches its mark), each assigned to the plan's team with the plan's
checklist. The daily job raises what is due; a meter reading raises at once."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import InvalidInput
from houqin.months import add_months
from shared_apps.accounts.actors import person
from tenant_apps.assets import classification
from tenant_apps.assets.models import Asset
from tenant_apps.repairs import categories
from tenant_apps.repairs.models import MaintenancePlan, RepairEvent, RepairRequest, Team
from tenant_apps.repairs.selectors import policy_get
from tenant_apps.repairs.service_levels import accept_deadline, deadlines
from tenant_apps.repairs.services._common import event_add, school_working_time

U = MaintenancePlan.Unit
MAX_CHECKLIST = 30


@service
def plan_create(
    *,
    name: str,
    team: Team,
    category: str,
    every: int,
    unit: str,
    actor: Actor,
    asset: Asset | None = None,
    asset_category: str = "",
    next_due: date | None = None,
    lead_days: int = 7,
    next_meter: Decimal | None = None,
    checklist: Sequence[str] = (),
) -> MaintenancePlan:
    """A plan for one asset or every asset of a category (not both), every N days or months from
    `next_due`, or every N meter units from `next_meter`."""
    name = (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not name:
        problems["name"] = [_("Required.")]
    if (asset is None) == (not asset_category):
        problems["asset"] = [_("Name one asset or one asset category.")]
    if asset_category and asset_category not in classification.BY_CODE:
        problems["asset_category"] = [_("Unknown category.")]
    if category not in categories.FAULTS:
        problems["category"] = [_("Choose a fault category.")]
    if every <= 0:
        problems["every"] = [_("A number above 0.")]
    if unit == U.METER and next_meter is None:
        problems["next_meter"] = [_("A meter plan starts from a reading.")]
    if unit != U.METER and next_due is None:
        problems["next_due"] = [_("A calendar plan starts from a date.")]
    items = [item.strip() for item in checklist if item.strip()]
    if len(items) > MAX_CHECKLIST or len(set(items)) != len(items):
        problems["checklist"] = [_("At most %(max)d distinct items.") % {"max": MAX_CHECKLIST}]
    if problems:
        raise InvalidInput(next(iter(problems.values()))[0], fields=problems)
    return MaintenancePlan.objects.create(
        name=name,
        asset=asset,
        asset_category=asset_category,
        team=team,
        category=category,
        every=every,
        unit=unit,
        next_due=next_due if unit != U.METER else None,
        lead_days=lead_days,
        next_meter=next_meter if unit == U.METER else None,
        checklist=[{"item": item} for item in items],
        created_by=person(actor),
    )


def _work_orders(plan: MaintenancePlan, due: datetime | None, actor: Actor) -> int:
    """Raise the plan's work orders, one per asset in a room, assigned to its team."""
    if plan.asset is not None:
        assets = Asset.objects.filter(pk=plan.asset.pk)
    else:
        assets = Asset.objects.filter(category=plan.asset_category)
    assets = assets.exclude(status=Asset.Status.DISPOSED).filter(room__isnull=False)
    now = timezone.now()
    work = school_working_time()
    regular = deadlines(now, RepairRequest.Urgency.GENERAL, work)
    finish = max(regular.finish, due) if due is not None else regular.finish
    raised = 0
    for asset in assets.select_related("room"):
        assert asset.room is not None
        order = RepairRequest.objects.create(
            kind=RepairRequest.Kind.MAINTENANCE,
            room=asset.room,
            asset=asset,
            category=plan.category,
            description=plan.name,
            urgency=RepairRequest.Urgency.GENERAL,
            status=RepairRequest.Status.ASSIGNED,
            charged=False,
            team=plan.team,
            plan=plan,
            checklist=plan.checklist,
            submitted_at=now,
            assigned_at=now,
            classify_due=now,
            accept_due=accept_deadline(now, RepairRequest.Urgency.GENERAL, work),
            respond_due=max(regular.respond, finish - timedelta(days=1)),
            finish_due=finish,
        )
        event_add(order, RepairEvent.Kind.ASSIGNED, actor, team=plan.team, note=plan.name)
        raised += 1
    return raised


@service
def plans_raise(*, actor: Actor, today: date | None = None) -> int:
    """Raise the work orders of every active calendar plan due within its lead days, and move
    its next due date on. Returns how many work orders were raised. Each plan is locked, so two
    runs raise its orders once."""
    today = today or timezone.localdate()
    closes = policy_get().closes_at
    raised = 0
    due = MaintenancePlan.objects.filter(active=True, next_due__isnull=False).exclude(unit=U.METER)
    for plan in due.select_for_update(of=("self",)).select_related("asset"):
        assert plan.next_due is not None
        if plan.next_due - timedelta(days=plan.lead_days) > today:
            continue
        moment = timezone.make_aware(datetime.combine(plan.next_due, closes))
        raised += _work_orders(plan, moment, actor)
        if plan.unit == U.MONTHS:
            plan.next_due = add_months(plan.next_due, plan.every)
        else:
            plan.next_due += timedelta(days=plan.every)
        plan.save(update_fields=["next_due"])
    return raised


@service
def plan_meter_record(*, plan: MaintenancePlan, reading: Decimal, actor: Actor) -> MaintenancePlan:
    """Record a meter plan's reading (hours run, say): reaching the mark raises its work orders
    and sets the next mark."""
    locked = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.unit != U.METER or locked.next_meter is None:
        message = _("This plan runs by the calendar, not a meter.")
        raise InvalidInput(message, code="not_a_meter_plan", fields={"reading": [message]})
    if locked.meter_reading is not None and reading < locked.meter_reading:
        message = _("A meter does not run backwards: the last reading was %(last)s.") % {
            "last": locked.meter_reading
        }
        raise InvalidInput(message, fields={"reading": [message]})
    locked.meter_reading = reading
    if locked.active and reading >= locked.next_meter:
        _work_orders(locked, None, actor)
        while locked.next_meter <= reading:
            locked.next_meter += locked.every
    locked.save(update_fields=["meter_reading", "next_meter"])
    return locked
