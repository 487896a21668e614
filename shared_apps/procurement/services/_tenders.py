"""What the tender services share: the tender's row locked in the state a step needs, and the
typed event each step leaves for people to read."""

from django.utils.translation import gettext as _

from houqin.door import Actor
from houqin.exceptions import Conflict
from shared_apps.accounts.actors import person
from shared_apps.procurement.models import Tender, TenderEvent


def tender_event(
    tender: Tender, kind: str, actor: Actor, *, note: str = "", **subjects: object
) -> TenderEvent:
    return TenderEvent.objects.create(
        tender=tender,
        kind=kind,
        actor=person(actor),
        note=note,
        **subjects,
    )


def locked_tender(tender: Tender, *statuses: str) -> Tender:
    """The tender's row, locked for this transaction, in one of `statuses` (409 otherwise)."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    if locked.status not in statuses:
        raise Conflict(
            _("The tender is %(status)s.") % {"status": locked.get_status_display()},
            code=f"tender_{locked.status}",
        )
    return locked
