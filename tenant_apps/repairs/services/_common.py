"""What the writes about the repair desk share: a request locked in the statuses an act allows,
its events, the school's working time, and the team a technician must belong to."""

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor
from houqin.exceptions import Conflict, NotPermitted
from houqin.permissions import has_perm
from shared_apps.accounts.actors import person
from tenant_apps.repairs.models import RepairEvent, RepairRequest, Team
from tenant_apps.repairs.selectors import policy_get
from tenant_apps.repairs.service_levels import WorkingTime, working_time


def locked_request(request: RepairRequest, *allowed: str) -> RepairRequest:
    locked = (
        RepairRequest.objects.select_for_update(of=("self",))
        .select_related("room", "team")
        .get(pk=request.pk)
    )
    if locked.status not in allowed:
        raise Conflict(
            _("The request is %(status)s.") % {"status": locked.get_status_display()},
            code=f"request_{locked.status}",
        )
    return locked


def event_add(
    request: RepairRequest,
    kind: str,
    actor: Actor,
    *,
    team: Team | None = None,
    note: str = "",
) -> RepairEvent:
    return RepairEvent.objects.create(
        request=request, kind=kind, team=team, note=note, actor=person(actor)
    )


def school_working_time() -> WorkingTime:
    policy = policy_get()
    return working_time(timezone.localdate(), opens=policy.opens_at, closes=policy.closes_at)


def ensure_on_team(request: RepairRequest, actor: Actor) -> None:
    """Refuse a technician who is not on the request's team. Whoever runs the desk (dispatches)
    may record a team's acts for it."""
    user = person(actor)
    if user is None or request.team is None or has_perm(user, "repairs.dispatch_repairrequest"):
        return
    if not request.team.members.filter(pk=user.pk).exists():
        raise NotPermitted(
            _("Only a technician of the team the request is assigned to may do this."),
            code="not_on_team",
        )
