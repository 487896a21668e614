"""Writes about riders: a student seated on a district run through its shared seat ledger, and
the seat given back. The ledger refuses a full run, a run the school does not ride, a cancelled
run and a stop off the route; these refusals reach the caller with their codes."""

from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.transport import services as transport
from shared_apps.transport.models import Run, Seat, Stop
from tenant_apps.people.models import Student
from tenant_apps.riders.models import Rider, Trip
from tenants.selectors import current_school


@service
def rider_assign(*, student: Student, run: Run, stop: Stop | None = None, actor: Actor) -> Rider:
    """Seat `student` (of this school) on `run`, boarding at `stop`: the seat is taken in the
    district's ledger, across every school that rides the run, and recorded here."""
    if student.status != Student.Status.ACTIVE:
        message = _("The student has left the school.")
        raise InvalidInput(message, code="student_left", fields={"student": [message]})
    seat = transport.assign_seat(
        run=run, school=current_school(), student_ref=student.pk, stop=stop, actor=actor
    )
    trip, _made = Trip.objects.get_or_create(run_ref=run.pk)
    return Rider.objects.create(
        trip=trip,
        student=student,
        stop_ref=None if stop is None else stop.pk,
        seat=seat.number,
        seat_ref=seat.pk,
        created_by=person(actor),
    )


@service
def rider_remove(*, rider: Rider, actor: Actor) -> None:
    """Take a student off a run: the seat goes back to the ledger for any school's pupil."""
    locked = Rider.objects.select_for_update().get(pk=rider.pk)
    seat = Seat.objects.for_school(current_school()).get(pk=locked.seat_ref)
    locked.delete()
    transport.release_seat(seat=seat, actor=actor)
