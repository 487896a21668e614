"""Writes about requisitions (采购需求): a school raises them on its own host, its principal
approves or rejects them; approved ones wait to be aggregated into a tender."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.duties import REQUISITION_APPROVAL, ensure_separate
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.procurement.models import CatalogueItem, Requisition, RequisitionLine
from tenants.models import School


@dataclass(frozen=True)
class RequestedLine:
    item: CatalogueItem
    quantity: Decimal
    needed_by: date


@service
def requisition_raise(
    *, school: School, lines: list[RequestedLine], note: str = "", actor: User
) -> Requisition:
    """A school's logistics director or canteen manager asks the centre for goods."""
    if not lines:
        raise InvalidInput(
            _("A requisition needs at least one line."),
            fields={"lines": [_("This list may not be empty.")]},
        )
    items = [line.item.pk for line in lines]
    if len(set(items)) != len(items):
        raise InvalidInput(
            _("Each catalogue item may appear once in a requisition."),
            fields={"lines": [_("An item appears twice.")]},
        )
    today = timezone.localdate()
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput(
                _("Quantities must be positive."), fields={"lines": [_("Not positive.")]}
            )
        if line.needed_by < today:
            raise InvalidInput(
                _("A line cannot be needed by a day that has passed."),
                fields={"lines": [_("In the past.")]},
            )
    requisition = Requisition.objects.create(school=school, note=note.strip(), raised_by=actor)
    RequisitionLine.objects.bulk_create(
        RequisitionLine(
            requisition=requisition,
            item=line.item,
            quantity=line.quantity,
            needed_by=line.needed_by,
        )
        for line in lines
    )
    return requisition


def _pending(requisition: Requisition) -> Requisition:
    locked = (
        Requisition.objects.for_school(requisition.school_id)
        .select_for_update()
        .get(pk=requisition.pk)
    )
    if locked.status != Requisition.Status.PENDING:
        raise Conflict(
            _("The requisition is already %(status)s.") % {"status": locked.get_status_display()},
            code=f"requisition_{locked.status}",
        )
    return locked


@service
def requisition_approve(*, requisition: Requisition, actor: Actor) -> Requisition:
    """The principal approves: the centre may now tender the requisition's lines."""
    locked = _pending(requisition)
    ensure_separate(REQUISITION_APPROVAL, record=locked, actor=actor)
    locked.status = Requisition.Status.APPROVED
    locked.decided_by = person(actor)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


@service
def requisition_reject(*, requisition: Requisition, reason: str, actor: Actor) -> Requisition:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("A rejection needs a reason."), fields={"reason": [_("This field is required.")]}
        )
    locked = _pending(requisition)
    locked.status = Requisition.Status.REJECTED
    locked.reason = reason
    locked.decided_by = person(actor)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return locked
