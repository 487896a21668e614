"""Writes about room inspections."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.dorms.models import Inspection, Room


@service
def inspection_record(
    *, room: Room, kind: str, inspected_on: date, score: int, notes: str = "", actor: Actor
) -> Inspection:
    if not 0 <= score <= 100:
        message = _("A score is from 0 to 100.")
        raise InvalidInput(message, code="bad_score", fields={"score": [message]})
    try:
        with transaction.atomic():
            return Inspection.objects.create(
                room=room,
                kind=kind,
                inspected_on=inspected_on,
                score=score,
                notes=notes.strip(),
                inspector=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("The room has had this inspection that day."), code="inspection_exists"
        ) from None
