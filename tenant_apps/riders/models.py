"""A school's bus riders: which of its students ride which district run, from which stop, in
which seat. The seat itself is counted in the district's ledger (transport.Seat), across every
school that rides the run; this row is the school's side of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.people.models import Student


class Trip(models.Model):
    """The school's side of one district run it rides: its riders, and (for its escorts) the
    run's checks, boarding and closing."""

    # The district's run (transport.Run): written only through its seat ledger, never pointed
    # at by a school's foreign key (deploy/scale-out.md).
    run_ref = models.BigIntegerField(_("run"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bus trip")
        verbose_name_plural = _("bus trips")
        ordering = ["run_ref"]

    def __str__(self) -> str:
        return str(self.run_ref)


class Rider(models.Model):
    """One student of the school seated on a run, with the stop and seat the ledger gave."""

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="riders")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    stop_ref = models.BigIntegerField(_("stop"), null=True)
    seat = models.PositiveSmallIntegerField(_("seat"))
    # The district ledger's row (transport.Seat): public rows are referred to by id only.
    seat_ref = models.BigIntegerField(_("seat in the district ledger"), unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rider")
        verbose_name_plural = _("riders")
        ordering = ["trip_id", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "student"], name="riders_rider_once_per_trip"),
            models.UniqueConstraint(fields=["trip", "seat"], name="riders_rider_seat_unique"),
            models.CheckConstraint(condition=Q(seat__gte=1), name="riders_rider_seat_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}/{self.seat}"
