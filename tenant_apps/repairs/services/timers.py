"""The sweep every school runs every few minutes (beat, spread over schools): each timer of an
open request that ran out is escalated to the logistics director once per round of the request
(an `escalated` event naming the timer, which the board shows), and work completed AUTO_CONFIRM
days ago that its requester did not confirm is confirmed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from houqin.door import Actor, service
from tenant_apps.repairs.models import RepairEvent, RepairRequest

S = RepairRequest.Status
E = RepairEvent.Stage
AUTO_CONFIRM = timedelta(days=7)
# Each timer: the statuses in which it runs, and its deadline's field.
TIMERS = (
    (E.DISPATCH, [S.SUBMITTED], "classify_due"),
    (E.ACCEPT, [S.ASSIGNED], "accept_due"),
    (E.RESPOND, [S.SUBMITTED, S.ASSIGNED, S.ACCEPTED], "respond_due"),
    (
        E.FINISH,
        [S.SUBMITTED, S.ASSIGNED, S.AWAITING_APPROVAL, S.ACCEPTED, S.IN_PROGRESS],
        "finish_due",
    ),
)


@dataclass(frozen=True)
class Sweep:
    escalated: int
    confirmed: int


@service
def requests_sweep(*, actor: Actor, now: datetime | None = None) -> Sweep:
    """Escalate the timers that ran out and confirm the work left unconfirmed. Idempotent: an
    escalation is made once per timer and round (a unique constraint), and a confirmed request
    is not confirmed again. A few set-wise queries, however many requests are open."""
    now = now or timezone.now()
    events = []
    for stage, statuses, due in TIMERS:
        escalated = RepairEvent.objects.filter(
            request=OuterRef("pk"),
            kind=RepairEvent.Kind.ESCALATED,
            stage=stage,
            round=OuterRef("reopened"),
        )
        late = RepairRequest.objects.filter(Q(**{f"{due}__lt": now}), status__in=statuses).exclude(
            Exists(escalated)
        )
        events += [
            RepairEvent(
                request_id=pk,
                kind=RepairEvent.Kind.ESCALATED,
                stage=stage,
                round=round_,
                team_id=team,
            )
            for pk, round_, team in late.values_list("pk", "reopened", "team_id")
        ]
    # A sweep running at the same time may have made some: the constraint keeps one of each.
    RepairEvent.objects.bulk_create(events, ignore_conflicts=True)
    unconfirmed = RepairRequest.objects.filter(
        status=S.COMPLETED, completed_at__lt=now - AUTO_CONFIRM
    )
    ids = list(unconfirmed.values_list("pk", flat=True))
    RepairRequest.objects.filter(pk__in=ids).update(status=S.CONFIRMED, confirmed_at=now)
    RepairEvent.objects.bulk_create(
        RepairEvent(request_id=pk, kind=RepairEvent.Kind.AUTO_CONFIRMED) for pk in ids
    )
    return Sweep(escalated=len(events), confirmed=len(ids))
