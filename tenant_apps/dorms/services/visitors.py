"""Writes about the visitor log: the visitor's ID number kept as the register keeps a
student's (encrypted, a keyed hash, masked)."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.dorms.models import Visitor
from tenant_apps.people import national_id
from tenant_apps.people.models import Student


@service
def visitor_arrive(
    *,
    name: str,
    national_id_number: str,
    purpose: str,
    student: Student | None = None,
    arrived_at: datetime | None = None,
    actor: Actor,
) -> Visitor:
    try:
        number = national_id.validate(national_id_number)
    except national_id.InvalidNationalId as exc:
        raise InvalidInput(
            exc.message, code="invalid_national_id", fields={"national_id": [exc.message]}
        ) from exc
    if not name.strip() or not purpose.strip():
        raise InvalidInput(_("A visitor needs a name and a purpose."), code="required")
    return Visitor.objects.create(
        name=name.strip(),
        national_id_ciphertext=national_id.encrypt(number),
        national_id_hash=national_id.lookup_hash(number),
        national_id_masked=national_id.mask(number),
        student=student,
        purpose=purpose.strip(),
        arrived_at=arrived_at or timezone.now(),
        recorded_by=person(actor),
    )


@service
def visitor_leave(*, visitor: Visitor, actor: Actor) -> Visitor:
    locked = Visitor.objects.select_for_update().get(pk=visitor.pk)
    if locked.left_at is not None:
        raise Conflict(_("The visitor has left already."), code="visitor_left")
    locked.left_at = max(timezone.now(), locked.arrived_at)
    locked.save(update_fields=["left_at"])
    return locked
