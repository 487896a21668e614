"""The repair desk's work: the director's policy, teams and dispatch rules; dispatching and
transferring requests; the team's acceptance (or handing back, with the reason), the principal's
written approval of major work, attending, completing with the materials used (and, for a
maintenance work order, its checklist: a failed item opens a repair request), and extensions of
the deadline."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.money import ZERO
from houqin.permissions import current_school_id
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import is_school_staff
from shared_apps.procurement.models import Supplier
from tenant_apps.assets.models import Building
from tenant_apps.assets.services.register import asset_repair_add
from tenant_apps.orders.models import Order
from tenant_apps.repairs import categories
from tenant_apps.repairs.models import (
    DispatchRule,
    Policy,
    RepairEvent,
    RepairMaterial,
    RepairPhoto,
    RepairRequest,
    Team,
)
from tenant_apps.repairs.selectors import OPEN, policy_get
from tenant_apps.repairs.service_levels import accept_deadline, deadlines
from tenant_apps.repairs.services._common import (
    ensure_on_team,
    event_add,
    locked_request,
    school_working_time,
)

S = RepairRequest.Status
FEN = Decimal("0.01")
MAX_MATERIALS = 50


@service
def policy_set(
    *, opens_at: time, closes_at: time, major_work_threshold: Decimal, actor: Actor
) -> Policy:
    """Set the school's working hours and the estimate above which work is major."""
    if closes_at <= opens_at:
        message = _("Working hours end after they begin.")
        raise InvalidInput(message, fields={"closes_at": [message]})
    if major_work_threshold <= 0:
        message = _("A threshold above 0.")
        raise InvalidInput(message, fields={"major_work_threshold": [message]})
    policy, _created = Policy.objects.select_for_update().update_or_create(
        singleton=True,
        defaults={
            "opens_at": opens_at,
            "closes_at": closes_at,
            "major_work_threshold": major_work_threshold,
            "updated_by": person(actor),
        },
    )
    return policy


def _staff(members: Sequence[User]) -> list[User]:
    school_id = current_school_id()
    outsiders = [u.username for u in members if not is_school_staff(user=u, school_id=school_id)]
    if outsiders:
        message = _("Technicians are members of this school's staff: %(names)s.") % {
            "names": ", ".join(outsiders)
        }
        raise InvalidInput(message, code="not_school_staff", fields={"members": [message]})
    return list(members)


@service
def team_create(
    *,
    name: str,
    kind: str,
    actor: Actor,
    members: Sequence[User] = (),
    supplier: Supplier | None = None,
) -> Team:
    """A repair team: the school's own, or an outsourced provider (which may be one of the
    district's suppliers)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Name the team."), fields={"name": [_("Required.")]})
    if supplier is not None and kind != Team.Kind.PROVIDER:
        message = _("Only an outsourced provider is one of the district's suppliers.")
        raise InvalidInput(message, fields={"supplier": [message]})
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name, kind=kind, supplier=supplier)
    except IntegrityError:
        raise Conflict(_("A team has this name already."), code="team_exists") from None
    team.members.set(_staff(members))
    return team


@service
def team_update(
    *, team: Team, actor: Actor, members: Sequence[User] | None = None, active: bool | None = None
) -> Team:
    """Change a team's technicians, or stand it down (its rules then route nothing)."""
    locked = Team.objects.select_for_update().get(pk=team.pk)
    if members is not None:
        locked.members.set(_staff(members))
    if active is not None:
        locked.active = active
        locked.save(update_fields=["active"])
    return locked


@service
def rule_create(
    *, category: str, team: Team, actor: Actor, building: Building | None = None
) -> DispatchRule:
    """Route a fault or a fault group, in one building or anywhere, to a team."""
    if category not in categories.FAULTS and category not in categories.GROUPS:
        message = _("Choose a fault or a fault group.")
        raise InvalidInput(message, fields={"category": [message]})
    try:
        with transaction.atomic():
            return DispatchRule.objects.create(
                category=category, building=building, team=team, created_by=person(actor)
            )
    except IntegrityError:
        raise Conflict(
            _("A rule routes this fault in this place already."), code="rule_exists"
        ) from None


@service
def rule_delete(*, rule: DispatchRule, actor: Actor) -> None:
    DispatchRule.objects.filter(pk=rule.pk).delete()


@service
def request_dispatch(
    *,
    request: RepairRequest,
    team: Team,
    actor: Actor,
    technician: User | None = None,
    note: str = "",
) -> RepairRequest:
    """Send a request to a team (and, if named, one of its technicians), or transfer it from
    the team it is with to another before the work is finished: the new team accepts it anew."""
    locked = locked_request(request, S.SUBMITTED, S.ASSIGNED, S.ACCEPTED, S.AWAITING_APPROVAL)
    if not team.active:
        raise Conflict(_("The team is stood down."), code="team_inactive")
    if technician is not None and not team.members.filter(pk=technician.pk).exists():
        message = _("The technician is not on that team.")
        raise InvalidInput(message, fields={"technician": [message]})
    if locked.team_id == team.pk and locked.status != S.SUBMITTED:
        raise Conflict(_("The request is with that team already."), code="same_team")
    kind = RepairEvent.Kind.ASSIGNED if locked.team_id is None else RepairEvent.Kind.TRANSFERRED
    now = timezone.now()
    locked.team = team
    locked.technician = technician
    locked.status = S.ASSIGNED
    locked.assigned_at = now
    locked.accepted_at = None
    locked.accept_due = accept_deadline(now, locked.urgency, school_working_time())
    locked.save()
    event_add(locked, kind, actor, team=team, note=(note or "").strip())
    return locked


@service
def request_accept(
    *, request: RepairRequest, actor: Actor, estimated_cost: Decimal | None = None
) -> RepairRequest:
    """A technician of the team takes the request on, with an estimate when there is one: above
    the school's threshold the work is major and waits for the principal's written approval."""
    locked = locked_request(request, S.ASSIGNED)
    ensure_on_team(locked, actor)
    if estimated_cost is not None and estimated_cost < 0:
        message = _("An estimate of 0 or more.")
        raise InvalidInput(message, fields={"estimated_cost": [message]})
    major = estimated_cost is not None and estimated_cost > policy_get().major_work_threshold
    locked.technician = person(actor) or locked.technician
    locked.estimated_cost = estimated_cost
    locked.accepted_at = timezone.now()
    locked.status = S.AWAITING_APPROVAL if major else S.ACCEPTED
    locked.save()
    event_add(locked, RepairEvent.Kind.ACCEPTED, actor, team=locked.team)
    return locked


@service
def request_reject(*, request: RepairRequest, reason: str, actor: Actor) -> RepairRequest:
    """The team hands the request back to the director with the reason (not theirs to fix, say):
    it waits to be dispatched again."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the request is handed back.")
        raise InvalidInput(message, fields={"reason": [message]})
    locked = locked_request(request, S.ASSIGNED)
    ensure_on_team(locked, actor)
    team = locked.team
    locked.team = locked.technician = None
    locked.status = S.SUBMITTED
    locked.accept_due = None
    locked.save()
    event_add(locked, RepairEvent.Kind.REJECTED, actor, team=team, note=reason)
    return locked


@service
def request_approve(*, request: RepairRequest, approval: str, actor: Actor) -> RepairRequest:
    """The principal's written approval of major work."""
    approval = (approval or "").strip()
    if not approval:
        message = _("Write the approval.")
        raise InvalidInput(message, fields={"approval": [message]})
    locked = locked_request(request, S.AWAITING_APPROVAL)
    locked.approved_by = person(actor)
    locked.approval = approval
    locked.status = S.ACCEPTED
    locked.save(update_fields=["approved_by", "approval", "status"])
    event_add(locked, RepairEvent.Kind.APPROVED, actor, note=approval)
    return locked


@service
def request_start(*, request: RepairRequest, actor: Actor) -> RepairRequest:
    """The technician is on site: the request is attended (its response timer stops)."""
    locked = locked_request(request, S.ACCEPTED)
    ensure_on_team(locked, actor)
    locked.status = S.IN_PROGRESS
    locked.started_at = timezone.now()
    locked.save(update_fields=["status", "started_at"])
    event_add(locked, RepairEvent.Kind.STARTED, actor, team=locked.team)
    return locked


@dataclass(frozen=True)
class MaterialInput:
    """Material used: from the school's stock, or bought under one of its orders."""

    description: str
    quantity: Decimal
    unit: str
    unit_cost: Decimal
    order: Order | None = None


@dataclass(frozen=True)
class CheckInput:
    """One item of a maintenance work order's checklist, as inspected."""

    item: str
    passed: bool
    note: str = ""


def _materials(request: RepairRequest, given: Sequence[MaterialInput]) -> list[RepairMaterial]:
    if len(given) > MAX_MATERIALS:
        message = _("At most %(max)d materials.") % {"max": MAX_MATERIALS}
        raise InvalidInput(message, fields={"materials": [message]})
    problems: list[dict[str, list[str]]] = [{} for _m in given]
    for index, material in enumerate(given):
        if not material.description.strip() or material.quantity <= 0 or material.unit_cost < 0:
            problems[index]["quantity"] = [_("A description, a quantity above 0 and a cost.")]
    if any(problems):
        raise InvalidInput(_("Some materials are incomplete."), fields={"materials": problems})
    return [
        RepairMaterial(
            request=request,
            description=m.description.strip(),
            quantity=m.quantity,
            unit=m.unit.strip(),
            unit_cost=m.unit_cost,
            amount=(m.quantity * m.unit_cost).quantize(FEN, rounding=ROUND_HALF_UP),
            order=m.order,
        )
        for m in given
    ]


def _checklist(request: RepairRequest, given: Sequence[CheckInput]) -> list[dict[str, Any]]:
    expected = [entry["item"] for entry in request.checklist]
    if sorted(c.item for c in given) != sorted(expected):
        message = _("Give a result for each item of the checklist, and only those.")
        raise InvalidInput(message, fields={"checklist": [message]})
    return [{"item": c.item, "passed": c.passed, "note": c.note.strip()} for c in given]


def _open_failures(
    request: RepairRequest, results: list[dict[str, Any]], actor: Actor, now: datetime
) -> None:
    """A failed inspection item opens a repair request, named after the work order."""
    user = person(actor)
    if user is None:
        return
    work = school_working_time()
    for result in results:
        if result["passed"]:
            continue
        due = deadlines(now, RepairRequest.Urgency.GENERAL, work)
        opened = RepairRequest.objects.create(
            requester=user,
            room=request.room,
            asset=request.asset,
            category=request.category,
            description=_("Failed inspection (%(order)s): %(item)s. %(note)s")
            % {"order": request.number, "item": result["item"], "note": result["note"]},
            urgency=RepairRequest.Urgency.GENERAL,
            charged=False,
            inspection=request,
            submitted_at=now,
            classify_due=due.dispatch,
            respond_due=due.respond,
            finish_due=due.finish,
        )
        event_add(opened, RepairEvent.Kind.SUBMITTED, actor, note=request.number)


@service
def request_complete(
    *,
    request: RepairRequest,
    actor: Actor,
    note: str = "",
    labour_cost: Decimal = ZERO,
    materials: Sequence[MaterialInput] = (),
    checklist: Sequence[CheckInput] = (),
) -> RepairRequest:
    """Finish the work: what was done, the materials used and the labour, with a photo of the
    finished work for a fault; a maintenance work order gives each checklist item's result, and
    each failed item opens a repair request. The cost is counted on the asset repaired."""
    locked = locked_request(request, S.ACCEPTED, S.IN_PROGRESS)
    ensure_on_team(locked, actor)
    if labour_cost < 0:
        message = _("A labour cost of 0 or more.")
        raise InvalidInput(message, fields={"labour_cost": [message]})
    if (
        locked.kind == RepairRequest.Kind.FAULT
        and not locked.photos.filter(kind=RepairPhoto.Kind.COMPLETION).exists()
    ):
        message = _("Add a photo of the finished work first.")
        raise InvalidInput(message, code="completion_photo_required", fields={"image": [message]})
    results = _checklist(locked, checklist) if locked.kind == RepairRequest.Kind.MAINTENANCE else []
    used = _materials(locked, materials)
    RepairMaterial.objects.bulk_create(used)
    now = timezone.now()
    locked.labour_cost = labour_cost
    locked.cost = labour_cost + sum((m.amount for m in used), ZERO)
    locked.completion_note = (note or "").strip()
    if results:
        locked.checklist = results
    locked.started_at = locked.started_at or now
    locked.completed_at = now
    locked.status = S.COMPLETED
    # A work order no one asked for has no one to confirm it.
    if locked.requester_id is None:
        locked.status = S.CONFIRMED
        locked.confirmed_at = now
    locked.save()
    event_add(locked, RepairEvent.Kind.COMPLETED, actor, team=locked.team)
    if locked.asset is not None:
        asset_repair_add(asset=locked.asset, cost=locked.cost, actor=actor)
    _open_failures(locked, results, actor, now)
    return locked


@service
def request_extend(
    *, request: RepairRequest, finish_due: datetime, reason: str, actor: Actor
) -> RepairRequest:
    """The director approves more time to finish (asked for by the team, with the reason)."""
    reason = (reason or "").strip()
    locked = locked_request(request, *OPEN)
    if not reason or finish_due <= locked.finish_due:
        message = _("A later deadline, with the reason.")
        raise InvalidInput(message, fields={"finish_due": [message]})
    note = _("%(before)s → %(after)s: %(reason)s") % {
        "before": f"{timezone.localtime(locked.finish_due):%Y-%m-%d %H:%M}",
        "after": f"{timezone.localtime(finish_due):%Y-%m-%d %H:%M}",
        "reason": reason,
    }
    locked.finish_due = finish_due
    locked.save(update_fields=["finish_due"])
    event_add(locked, RepairEvent.Kind.EXTENDED, actor, note=note)
    return locked
