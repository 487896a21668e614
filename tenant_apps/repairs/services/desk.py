"""The requester's side of the repair desk: reporting a fault (routed at once by the director's
rules when one applies), adding photos, cancelling before the team accepts, confirming and rating
the finished work, and reopening it when the fault returns within REOPEN_DAYS."""

from datetime import timedelta
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.assets.models import Asset, Room
from tenant_apps.repairs import categories
from tenant_apps.repairs.models import RepairEvent, RepairPhoto, RepairRequest
from tenant_apps.repairs.photos import photo_store
from tenant_apps.repairs.selectors import OPEN, rule_for
from tenant_apps.repairs.service_levels import accept_deadline, deadlines
from tenant_apps.repairs.services._common import event_add, locked_request, school_working_time

S = RepairRequest.Status
REOPEN_DAYS = 30
PHOTOS_PER_KIND = 6
MAX_DESCRIPTION = 2000


@service
def request_submit(
    *,
    room: Room,
    category: str,
    description: str,
    urgency: str,
    actor: Actor,
    asset: Asset | None = None,
) -> RepairRequest:
    """Report one fault in one room (a member of the school, often on a phone): its category,
    what is wrong, how urgent, and the asset at fault when it has a label. Charged when the room
    is a private space. A dispatch rule that fits sends it to its team at once."""
    description = (description or "").strip()
    if category not in categories.FAULTS:
        message = _("Choose a fault category.")
        raise InvalidInput(message, fields={"category": [message]})
    if not description or len(description) > MAX_DESCRIPTION:
        message = _("Describe the fault (at most %(max)d characters).") % {"max": MAX_DESCRIPTION}
        raise InvalidInput(message, fields={"description": [message]})
    if asset is not None and asset.status == Asset.Status.DISPOSED:
        raise Conflict(_("The asset has been disposed of."), code="asset_disposed")
    now = timezone.now()
    work = school_working_time()
    due = deadlines(now, urgency, work)
    request = RepairRequest.objects.create(
        requester=person(actor),
        room=room,
        asset=asset,
        category=category,
        description=description,
        urgency=urgency,
        charged=room.charged,
        submitted_at=now,
        classify_due=due.dispatch,
        respond_due=due.respond,
        finish_due=due.finish,
    )
    event_add(request, RepairEvent.Kind.SUBMITTED, actor)
    rule = rule_for(category, room.building_id)
    if rule is not None:
        request.team = rule.team
        request.status = S.ASSIGNED
        request.assigned_at = now
        request.accept_due = accept_deadline(now, urgency, work)
        request.save(update_fields=["team", "status", "assigned_at", "accept_due"])
        event_add(request, RepairEvent.Kind.ASSIGNED, actor, team=rule.team, note=_("by rule"))
    return request


@service
def request_photo_add(
    *, request: RepairRequest, kind: str, upload: IO[bytes], size: int, actor: Actor
) -> RepairPhoto:
    """Add a photo: of the fault while the request is open, of the finished work while the team
    works on it; at most PHOTOS_PER_KIND of each. Resized and stripped of its metadata."""
    if kind == RepairPhoto.Kind.COMPLETION:
        locked = locked_request(request, S.ACCEPTED, S.IN_PROGRESS)
    else:
        locked = locked_request(request, *OPEN)
    if locked.photos.filter(kind=kind).count() >= PHOTOS_PER_KIND:
        message = _("At most %(max)d photos of each kind.") % {"max": PHOTOS_PER_KIND}
        raise InvalidInput(message, code="too_many_photos", fields={"image": [message]})
    stored = photo_store(upload, size=size)
    return RepairPhoto.objects.create(
        request=locked,
        kind=kind,
        image=stored.name,
        width=stored.width,
        height=stored.height,
        uploaded_by=person(actor),
    )


@service
def request_cancel(*, request: RepairRequest, reason: str, actor: Actor) -> RepairRequest:
    """Withdraw a request no team has accepted yet."""
    locked = locked_request(request, S.SUBMITTED, S.ASSIGNED)
    locked.status = S.CANCELLED
    locked.save(update_fields=["status"])
    event_add(locked, RepairEvent.Kind.CANCELLED, actor, note=(reason or "").strip())
    return locked


def _rating(rating: int) -> int:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        message = _("A rating from 1 to 5.")
        raise InvalidInput(message, fields={"rating": [message]})
    return rating


@service
def request_confirm(
    *, request: RepairRequest, rating: int, actor: Actor, comment: str = ""
) -> RepairRequest:
    """The requester confirms the work is done and rates it (1–5, with a comment)."""
    locked = locked_request(request, S.COMPLETED)
    locked.rating = _rating(rating)
    locked.rating_comment = (comment or "").strip()
    locked.status = S.CONFIRMED
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["rating", "rating_comment", "status", "confirmed_at"])
    event_add(locked, RepairEvent.Kind.CONFIRMED, actor, note=locked.rating_comment)
    return locked


@service
def request_reopen(*, request: RepairRequest, reason: str, actor: Actor) -> RepairRequest:
    """The fault came back within REOPEN_DAYS of the work being finished: the request goes back
    to its team to accept again, on new timers; its rating is withdrawn."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Say how the fault returned.")
        raise InvalidInput(message, fields={"reason": [message]})
    locked = locked_request(request, S.COMPLETED, S.CONFIRMED)
    now = timezone.now()
    assert locked.completed_at is not None
    if now - locked.completed_at > timedelta(days=REOPEN_DAYS):
        raise Conflict(
            _("The work was finished more than %(days)d days ago: report the fault anew.")
            % {"days": REOPEN_DAYS},
            code="reopen_too_late",
        )
    work = school_working_time()
    due = deadlines(now, locked.urgency, work)
    locked.status = S.ASSIGNED
    locked.reopened += 1
    locked.rating = None
    locked.rating_comment = ""
    locked.technician = None
    locked.completed_at = locked.confirmed_at = None
    locked.accepted_at = locked.started_at = None
    locked.assigned_at = now
    locked.accept_due = accept_deadline(now, locked.urgency, work)
    locked.respond_due, locked.finish_due = due.respond, due.finish
    locked.save()
    event_add(locked, RepairEvent.Kind.REOPENED, actor, team=locked.team, note=reason)
    return locked
