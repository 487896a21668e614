"""A school's bus riders: which of its students ride which district run, from which stop, in
which seat, and the run as the school's escorts work it: the escorts on it, the pre-trip check,
the riders boarding and alighting (ticked, or from the school's boarding terminals, each with
its own key), the alarms (someone still on board at the end, an escort swap). The seat itself
is counted in the district's ledger (transport.Seat), across every school that rides the run;
the rows here are the school's side of it. And the school's bus safety: incidents with their
timed steps, drills, and the training of the drivers on its routes and of its escorts."""

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
            ("report_trip", _("Can report an incident on a trip")),
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

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="riders", db_index=False)
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

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="escorts", db_index=False)
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

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="checks", db_index=False)
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

    trip = models.ForeignKey(
        Trip, on_delete=models.PROTECT, related_name="passages", db_index=False
    )
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

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="alarms", db_index=False)
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


# An incident's timed steps, in the order they are shown: each recorded once, with its time.
INCIDENT_STEPS = ("police_called", "evacuated", "guardians_told", "district_told")


def _step_after_incident(step: str) -> Q:
    return Q(**{f"{step}_at__isnull": True}) | Q(**{f"{step}_at__gte": models.F("occurred_at")})


class Incident(models.Model):
    """A school-bus safety accident or emergency (校车安全事故/突发事件) on a trip, or on a bus
    of the school's on a day without one: what happened, and the times the police were called,
    the pupils evacuated, the guardians and the district told; closed with a summary once every
    step is done, and not changed after."""

    class Kind(models.TextChoices):
        ACCIDENT = "accident", _("traffic accident")
        BREAKDOWN = "breakdown", _("breakdown")
        MEDICAL = "medical", _("medical emergency")
        PUPIL_MISSING = "pupil_missing", _("pupil missing")
        OTHER = "other", _("other")

    class Step(models.TextChoices):
        POLICE_CALLED = "police_called", _("police called")
        EVACUATED = "evacuated", _("pupils evacuated")
        GUARDIANS_TOLD = "guardians_told", _("guardians told")
        DISTRICT_TOLD = "district_told", _("district told")

    trip = models.ForeignKey(
        Trip, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    # The district's vehicle (transport.Vehicle), by id: the trip's bus, or the one named.
    vehicle_ref = models.BigIntegerField(_("bus"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("what happened"))
    police_called_at = models.DateTimeField(_("police called at"), null=True, blank=True)
    police_called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    evacuated_at = models.DateTimeField(_("pupils evacuated at"), null=True, blank=True)
    evacuated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    guardians_told_at = models.DateTimeField(_("guardians told at"), null=True, blank=True)
    guardians_told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    district_told_at = models.DateTimeField(_("district told at"), null=True, blank=True)
    district_told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    # An escort holds the incidents of their own trips.
    owner_field: ClassVar[str] = "trip__escorts__user"

    class Meta:
        verbose_name = _("bus incident")
        verbose_name_plural = _("bus incidents")
        ordering = ["-occurred_at", "-id"]
        permissions = [
            ("step_incident", _("Can record an incident's steps")),
            ("close_incident", _("Can close an incident")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=one_of(
                    "kind", ("accident", "breakdown", "medical", "pupil_missing", "other")
                ),
                name="riders_incident_kind",
            ),
            *(
                models.CheckConstraint(
                    condition=_step_after_incident(step),
                    name=f"riders_incident_{step}_after_incident",
                )
                for step in INCIDENT_STEPS
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(**{f"{step}_at__isnull": False for step in INCIDENT_STEPS}) & ~Q(summary="")),
                name="riders_incident_closed_when_done_and_summed_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Drill(models.Model):
    """An emergency drill (应急演练) on a school bus: at least one each semester."""

    class Kind(models.TextChoices):
        EVACUATION = "evacuation", _("evacuation")
        FIRE = "fire", _("fire")
        ACCIDENT = "accident", _("accident response")
        FIRST_AID = "first_aid", _("first aid")
        OTHER = "other", _("other")

    day = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The district's vehicle (transport.Vehicle) the drill was held on, by id, if one.
    vehicle_ref = models.BigIntegerField(_("bus"), null=True, blank=True)
    participants = models.PositiveSmallIntegerField(_("participants"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bus drill")
        verbose_name_plural = _("bus drills")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=one_of("kind", ("evacuation", "fire", "accident", "first_aid", "other")),
                name="riders_drill_kind",
            ),
            models.CheckConstraint(
                condition=Q(participants__gte=1), name="riders_drill_has_participants"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class Training(models.Model):
    """A training record (培训记录) of a bus driver of the district (by id) or a bus escort of
    the school: when, on what, how many hours, by whom."""

    day = models.DateField(_("date"))
    # Exactly one of: the district's driver (transport.Driver), by id; the school's escort.
    driver_ref = models.BigIntegerField(_("bus driver"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    trainer = models.CharField(_("trainer"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bus training record")
        verbose_name_plural = _("bus training records")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(driver_ref__isnull=False, user__isnull=True)
                | Q(driver_ref__isnull=True, user__isnull=False),
                name="riders_training_one_trainee",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="riders_training_hours"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.topic}"
