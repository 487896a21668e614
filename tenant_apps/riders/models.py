"""A school's bus riders: which of its students ride which district run, from which stop, in
which seat, and the run as the school's escorts work it: the escorts on it, the pre-trip check,
the riders boarding and alighting, the alarm when someone is still on board at the end. The seat
itself is counted in the district's ledger (transport.Seat), across every school that rides the
run; the rows here are the school's side of it."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.db import one_of
from tenant_apps.people.models import Student


class Trip(models.Model):
    """The school's side of one district run it rides: its riders, and (for its escorts) the
    run's checks, boarding and closing."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("not started")
        STARTED = "started", _("under way")
        CLOSED = "closed", _("closed")

    # The district's run (transport.Run): written only through its seat ledger, never pointed
    # at by a school's foreign key (deploy/scale-out.md).
    run_ref = models.BigIntegerField(_("run"), unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # An escort holds their own trips only.
    owner_field: ClassVar[str] = "escorts__user"

    class Meta:
        verbose_name = _("bus trip")
        verbose_name_plural = _("bus trips")
        ordering = ["run_ref"]
        permissions = [
            ("check_trip", _("Can tick a trip's pre-trip check")),
            ("start_trip", _("Can start a trip")),
            ("board_trip", _("Can record riders boarding and alighting")),
            ("close_trip", _("Can close a trip")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=one_of("status", ("planned", "started", "closed")),
                name="riders_trip_status",
            ),
            models.CheckConstraint(
                condition=Q(status="planned")
                | Q(status="started", started_at__isnull=False, closed_at__isnull=True)
                | Q(status="closed", started_at__isnull=False, closed_at__isnull=False),
                name="riders_trip_times_follow_status",
            ),
        ]

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

    owner_field: ClassVar[str] = "trip__escorts__user"

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


class Escort(models.Model):
    """A bus escort (随车照管人员) of the school put on one trip: the run's escorts are counted
    in the district's seat ledger (transport.Run.escorts_assigned)."""

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="escorts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    owner_field: ClassVar[str] = "user"

    class Meta:
        verbose_name = _("bus escort")
        verbose_name_plural = _("bus escorts")
        ordering = ["trip_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "user"], name="riders_escort_once_per_trip"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}/{self.user_id}"


CHECK_ITEMS = (
    "brakes",
    "steering",
    "lights",
    "tyres",
    "door",
    "seats",
    "belts",
    "escort_present",
    "driver_licensed",
    "driver_sober",
    "head_count",
)


class CheckItem(models.Model):
    """One item of a trip's pre-trip check (出车前检查), as the escort last ticked it."""

    class Item(models.TextChoices):
        BRAKES = "brakes", _("brakes")
        STEERING = "steering", _("steering")
        LIGHTS = "lights", _("lights")
        TYRES = "tyres", _("tyres")
        DOOR = "door", _("door")
        SEATS = "seats", _("seats")
        BELTS = "belts", _("seat belts")
        ESCORT_PRESENT = "escort_present", _("escort present")
        DRIVER_LICENSED = "driver_licensed", _("driver matches the licence")
        DRIVER_SOBER = "driver_sober", _("driver sober")
        HEAD_COUNT = "head_count", _("head-count within load")

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="checks")
    item = models.CharField(_("item"), max_length=16, choices=Item.choices)
    passed = models.BooleanField(_("passed"))
    # The heads counted on board, for the head-count item.
    count = models.PositiveSmallIntegerField(_("head-count"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))

    owner_field: ClassVar[str] = "trip__escorts__user"

    class Meta:
        verbose_name = _("pre-trip check item")
        verbose_name_plural = _("pre-trip check items")
        ordering = ["trip_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "item"], name="riders_check_item_once"),
            models.CheckConstraint(
                condition=one_of("item", CHECK_ITEMS), name="riders_check_item_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}/{self.item}"


class Passage(models.Model):
    """A rider boarding or alighting: from a card or face terminal (once: the terminal's own
    event id makes a report sent again the same event), or ticked by the escort."""

    class Kind(models.TextChoices):
        BOARD = "board", _("boarded")
        ALIGHT = "alight", _("alighted")

    class Method(models.TextChoices):
        CARD = "card", _("card")
        FACE = "face", _("face")
        ESCORT = "escort", _("ticked by the escort")

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="passages")
    rider = models.ForeignKey(Rider, on_delete=models.PROTECT, related_name="passages")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=6, choices=Method.choices)
    stop_ref = models.BigIntegerField(_("stop"), null=True)
    device = models.CharField(_("device"), max_length=64, blank=True)
    device_event_id = models.CharField(_("device's event id"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    owner_field: ClassVar[str] = "trip__escorts__user"

    class Meta:
        verbose_name = _("boarding or alighting")
        verbose_name_plural = _("boardings and alightings")
        ordering = ["trip_id", "occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trip", "rider", "kind"], name="riders_passage_once_each_way"
            ),
            models.UniqueConstraint(
                fields=["device", "device_event_id"],
                condition=~Q(device=""),
                name="riders_passage_device_event_once",
            ),
            models.CheckConstraint(
                condition=one_of("kind", ("board", "alight")), name="riders_passage_kind"
            ),
            models.CheckConstraint(
                condition=one_of("method", ("card", "face", "escort")),
                name="riders_passage_method",
            ),
            models.CheckConstraint(
                condition=Q(method="escort", device="", device_event_id="")
                | (~Q(method="escort") & ~Q(device="") & ~Q(device_event_id="")),
                name="riders_passage_terminal_names_its_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}/{self.rider_id} {self.kind}"


class Alarm(models.Model):
    """Something on a run the school must look at: riders still on board when it was to close
    (fewer got off than got on; their guardians told), or an escort swap (someone not put on the
    run as its escort worked it, or its escorts changed after the pre-trip check)."""

    class Kind(models.TextChoices):
        LEFT_ON_BOARD = "left_on_board", _("riders left on board")
        ESCORT_SWAP = "escort_swap", _("escort not the run's")

    class Cause(models.TextChoices):
        ACTED = "acted", _("worked the run without being put on it as its escort")
        PUT_ON = "put_on", _("put on the run after its check")
        TAKEN_OFF = "taken_off", _("taken off the run after its check")

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="alarms")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    on_board = models.PositiveSmallIntegerField(_("still on board"), null=True, blank=True)
    # An escort swap: who worked the run without being on it, or the escort put on or taken off
    # after the check; `cause` says which.
    escort = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escort"),
    )
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        verbose_name = _("bus alarm")
        verbose_name_plural = _("bus alarms")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "kind"], name="riders_alarm_once_per_trip"),
            models.CheckConstraint(
                condition=one_of("kind", ("left_on_board", "escort_swap")),
                name="riders_alarm_kind",
            ),
            # What each kind measured is there: the pages and the API show it.
            models.CheckConstraint(
                condition=Q(kind="left_on_board", on_board__isnull=False, cause="")
                | (Q(kind="escort_swap", escort__isnull=False) & ~Q(cause="")),
                name="riders_alarm_measured",
            ),
            models.CheckConstraint(
                condition=one_of("cause", ("", "acted", "put_on", "taken_off")),
                name="riders_alarm_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id} {self.kind}"


class Terminal(models.Model):
    """A card or face terminal on the school's buses, registered by the logistics director: it
    reports riders boarding and alighting as `device` with its own key (the key's hash kept,
    the key shown once); revoked, its key opens nothing."""

    device = models.CharField(_("device"), max_length=64, unique=True)
    # SHA-256 of its key (transport.Vehicle.key_hash, as for the buses' GPS devices).
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    audit_redacted_fields = ("key_hash",)

    class Meta:
        verbose_name = _("boarding terminal")
        verbose_name_plural = _("boarding terminals")
        ordering = ["device"]
        permissions = [("revoke_terminal", _("Can revoke a boarding terminal's key"))]
        constraints = [
            models.CheckConstraint(condition=~Q(device=""), name="riders_terminal_named"),
        ]

    def __str__(self) -> str:
        return self.device
