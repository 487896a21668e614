"""School buses (校车), the district's side: providers, vehicles and their inspections, drivers and
their offences, routes with approved stops and hazard segments, bus licences (校车标牌), runs and
each run's seat ledger, shared by every school that rides it, and the vehicles' GPS points and
alarms. In the public schema, because schools share buses.

The rules of decree 617 that a row can check alone are constraints here (a vehicle's rated load,
a licence's six months, a run's seats); the ones that need other rows or the run's date are the
services' (see rules.py), under row locks.
"""

import datetime
import hashlib
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    BigIntegerRangeField,
    DateTimeRangeField,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from houqin.tenancy import SchoolOwnedQuerySet

MAX_RATED_LOAD = 56
MAX_KINDERGARTEN_LOAD = 45
# A licence, and an inspection, holds for at most six months (184 days covers any six).
SIX_MONTHS = datetime.timedelta(days=184)
# A route's later versions are routes of their own, coded `<the first's code>/v2`, `/v3`… (a
# name for people: what links a version to its route is `Route.version_of`).
VERSION_MARK = "/v"


def _same(field: str) -> models.Func:
    """`int8range(v, v, '[]')`: two overlap exactly when the values are equal, so an exclusion
    constraint says "same vehicle" with GiST's own range operators, without btree_gist (which
    the embedded development server does not ship)."""
    return models.Func(
        F(field),
        F(field),
        models.Value("[]"),
        function="int8range",
        output_field=BigIntegerRangeField(),
    )


class Provider(models.Model):
    """Who runs buses (校车运营单位): the school itself, a licensed carrier or a county operator,
    with its operating licence and its carrier-liability insurance."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("the school itself")
        CARRIER = "carrier", _("licensed carrier")
        COUNTY_OPERATOR = "county_operator", _("county school-bus operator")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    licence_number = models.CharField(_("operating licence number"), max_length=50, blank=True)
    licence_expires = models.DateField(_("operating licence expires"), null=True, blank=True)
    insurer = models.CharField(_("insurer"), max_length=100, blank=True)
    insurance_expires = models.DateField(_("liability insurance expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bus provider")
        verbose_name_plural = _("bus providers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(licence_number="") | Q(licence_expires__isnull=False),
                name="transport_provider_licence_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(insurer="") | Q(insurance_expires__isnull=False),
                name="transport_provider_insurance_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """A school bus: its plate, provider, type, rated load (核载), the equipment on board, the
    date its last safety inspection holds until, and the hash of its GPS device's key."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("primary-pupil school bus")
        GENERAL = "general", _("school bus")
        KINDERGARTEN = "kindergarten", _("kindergarten bus")

    plate = models.CharField(_("plate"), max_length=16, unique=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="vehicles")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    rated_load = models.PositiveSmallIntegerField(_("rated load (seats)"))
    has_hammer = models.BooleanField(_("safety hammer"), default=False)
    has_extinguisher = models.BooleanField(_("fire extinguisher"), default=False)
    has_first_aid_kit = models.BooleanField(_("first-aid kit"), default=False)
    has_gps_recorder = models.BooleanField(_("GPS recorder"), default=False)
    inspection_valid_until = models.DateField(_("inspection valid until"), null=True, blank=True)
    # SHA-256 of the key its GPS device sends; the key itself is shown once, when issued.
    device_key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    audit_redacted_fields = ("device_key_hash",)

    class Meta:
        verbose_name = _("school bus")
        verbose_name_plural = _("school buses")
        ordering = ["plate"]
        permissions = [("inspect_vehicle", _("Can record a vehicle's safety inspection"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(rated_load__gte=1, rated_load__lte=MAX_RATED_LOAD),
                name="transport_vehicle_rated_load_at_most_56",
            ),
            models.CheckConstraint(
                condition=~Q(kind="kindergarten") | Q(rated_load__lte=MAX_KINDERGARTEN_LOAD),
                name="transport_vehicle_kindergarten_load_at_most_45",
            ),
        ]

    def __str__(self) -> str:
        return self.plate

    @staticmethod
    def key_hash(key: str) -> str:
        """What is stored of a device key."""
        return hashlib.sha256(key.encode()).hexdigest()


class Inspection(models.Model):
    """A vehicle's safety inspection (every six months) and its record."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    valid_until = models.DateField(_("valid until"))
    passed = models.BooleanField(_("passed"))
    record = models.TextField(_("record"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("inspected_on"))
                & Q(valid_until__lte=F("inspected_on") + SIX_MONTHS),
                name="transport_inspection_valid_at_most_six_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.valid_until}"


class Driver(models.Model):
    """A school-bus driver (校车驾驶人) and what decree 617 art. 23 asks of them; whether they
    qualify is decided on each run's date (rules.py)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="drivers")
    name = models.CharField(_("name"), max_length=50)
    licence_number = models.CharField(_("driving licence number"), max_length=30, unique=True)
    licence_class = models.CharField(_("licence class"), max_length=4)
    born_on = models.DateField(_("born on"))
    licensed_since = models.DateField(_("holds the class since"))
    health_valid_until = models.DateField(_("health check valid until"), null=True, blank=True)
    endorsement_valid_until = models.DateField(
        _("school-bus endorsement valid until"), null=True, blank=True
    )
    review_valid_until = models.DateField(_("annual review valid until"), null=True, blank=True)
    criminal_record = models.BooleanField(_("criminal record"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bus driver")
        verbose_name_plural = _("bus drivers")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(licensed_since__gt=F("born_on")),
                name="transport_driver_licensed_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Offence(models.Model):
    """A traffic offence or liability recorded against a driver."""

    class Kind(models.TextChoices):
        TWELVE_POINTS = "twelve_points", _("12 points in a scoring period")
        FATAL = "fatal", _("liability for a fatal accident")
        SERIOUS_INJURY = "serious_injury", _("liability for a serious-injury accident")
        DRINK_DRIVING = "drink_driving", _("drink-driving")
        OVERLOAD = "overload", _("overloading")
        SPEEDING = "speeding", _("speeding")
        OTHER = "other", _("other offence")

    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="offences")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("occurred on"))
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("driver offence")
        verbose_name_plural = _("driver offences")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__lte=12), name="transport_offence_points_at_most_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Route(models.Model):
    """A bus route shared by one or more schools, with its stops in order."""

    class Period(models.TextChoices):
        MORNING = "morning", _("morning")
        AFTERNOON = "afternoon", _("afternoon")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    schools = models.ManyToManyField(
        "tenants.School", related_name="+", blank=True, verbose_name=_("schools")
    )
    # The version's days: the ISO weekdays it runs on ("12345": Monday to Friday), and the
    # dates it holds from and until (open when empty); runs follow each school's calendar.
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # A later version points at the route's first version (never at another later one), and
    # numbers itself within that family: the first is version 1 and points at nothing.
    version_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="later_versions",
        verbose_name=_("version of"),
        db_index=False,
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bus route")
        verbose_name_plural = _("bus routes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__regex=r"^1?2?3?4?5?6?7?$") & ~Q(weekdays=""),
                name="transport_route_weekdays",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="transport_route_version_dates",
            ),
            models.CheckConstraint(
                condition=Q(version_of__isnull=True, version=1)
                | Q(version_of__isnull=False, version__gte=2),
                name="transport_route_version_number",
            ),
            models.CheckConstraint(
                condition=~Q(version_of=F("pk")), name="transport_route_version_not_itself"
            ),
            models.UniqueConstraint(
                fields=["version_of", "version"], name="transport_route_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def family_id(self) -> int:
        """The id of the route's first version, which every later version points at."""
        return self.version_of_id or self.pk


class Stop(models.Model):
    """A stop of a route, in its order, with its coordinates and time; only approved stops are
    licensed."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops", db_index=False)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    at = models.TimeField(_("time"))
    approved = models.BooleanField(_("approved"), default=False)

    class Meta:
        verbose_name = _("bus stop")
        verbose_name_plural = _("bus stops")
        ordering = ["route", "order"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="transport_stop_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="transport_stop_order_from_one"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="transport_stop_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class HazardSegment(models.Model):
    """A dangerous stretch of a route (急弯, 陡坡, 临崖, 临水): a circle around a point, its
    mitigation, and the speed limit there (20 km/h)."""

    class Kind(models.TextChoices):
        SHARP_BEND = "sharp_bend", _("sharp bend")
        STEEP_SLOPE = "steep_slope", _("steep slope")
        CLIFF = "cliff", _("cliff edge")
        WATER = "water", _("waterside")

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="hazards")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("radius (m)"))
    mitigation = models.CharField(_("mitigation"), max_length=200)

    class Meta:
        verbose_name = _("hazard segment")
        verbose_name_plural = _("hazard segments")
        ordering = ["route", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_m__gte=10, radius_m__lte=5000),
                name="transport_hazard_radius",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mitigation}"


class Licence(models.Model):
    """A bus licence (校车标牌): one vehicle, driver and route, valid at most six months and never
    past the vehicle's inspection, through the bureau's approval workflow."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted to the bureau")
        FORWARDED = "forwarded", _("forwarded to public security and transport")
        ANSWERED = "answered", _("answered by public security and transport")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    number = models.CharField(_("number"), max_length=30, unique=True)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="licences")
    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="licences")
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="licences")
    issuer = models.CharField(_("issuer"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    # The day by which the current step is due: the bureau forwards within 3 working days,
    # public security and transport answer within 3, the bureau decides within 5.
    step_due = models.DateField(_("current step due"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bus licence")
        verbose_name_plural = _("bus licences")
        ordering = ["-valid_from", "-id"]
        permissions = [("decide_licence", _("Can move a bus licence through its approval"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from"))
                & Q(valid_until__lte=F("valid_from") + SIX_MONTHS),
                name="transport_licence_at_most_six_months",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["approved", "refused"], decided_at__isnull=False)
                | (~Q(status__in=["approved", "refused"]) & Q(decided_at__isnull=True)),
                name="transport_licence_decided_when_final",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Run(models.Model):
    """One trip of a licensed vehicle and driver on a route over a time range, with its seats:
    the seats for pupils are the rated load less the driver and the escorts, across every
    school that rides it."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="runs")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="runs")
    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="runs")
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="runs")
    period = DateTimeRangeField(_("time"))
    escorts = models.PositiveSmallIntegerField(_("escorts"), default=1)
    # The escorts the schools riding the run have put on it (at most `escorts`: each one's seat
    # is counted out of the pupils' seats).
    escorts_assigned = models.PositiveSmallIntegerField(_("escorts assigned"), default=0)
    capacity = models.PositiveSmallIntegerField(_("seats for pupils"))
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    # Same-day substitution of vehicle or driver: only for these reasons, and filed.
    substitution = models.CharField(_("substitution reason"), max_length=20, blank=True)
    # What the provider charges for the run (CNY), for the cost per rider in the reports.
    cost = models.DecimalField(_("cost"), max_digits=9, decimal_places=2, default=Decimal("0.00"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bus run")
        verbose_name_plural = _("bus runs")
        ordering = ["period", "id"]
        permissions = [("cancel_run", _("Can cancel a run"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="transport_run_seats_within_capacity",
            ),
            models.CheckConstraint(condition=Q(escorts__gte=1), name="transport_run_has_an_escort"),
            models.CheckConstraint(
                condition=Q(escorts_assigned__lte=F("escorts")),
                name="transport_run_escorts_assigned_within_escorts",
            ),
            models.CheckConstraint(
                condition=Q(capacity__lte=MAX_RATED_LOAD - 2),
                name="transport_run_capacity_below_rated_load",
            ),
            ExclusionConstraint(
                name="transport_run_vehicle_not_twice",
                expressions=[
                    (_same("vehicle"), RangeOperators.OVERLAPS),
                    ("period", RangeOperators.OVERLAPS),
                ],
                condition=Q(status="scheduled"),
            ),
            ExclusionConstraint(
                name="transport_run_driver_not_twice",
                expressions=[
                    (_same("driver"), RangeOperators.OVERLAPS),
                    ("period", RangeOperators.OVERLAPS),
                ],
                condition=Q(status="scheduled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.lower:%Y-%m-%d %H:%M} {self.route_id}"


class Seat(models.Model):
    """One pupil's seat on a run: the school and the student's id in the school's schema (public
    rows never point at a school's rows by key), numbered in the order taken."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="seats", db_index=False)
    school = models.ForeignKey("tenants.School", on_delete=models.PROTECT, related_name="+")
    student_ref = models.BigIntegerField(_("student"))
    number = models.PositiveSmallIntegerField(_("seat"))
    stop = models.ForeignKey(Stop, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["Seat"].as_manager()

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "school", "student_ref"], name="transport_seat_one_per_student"
            ),
            models.UniqueConstraint(fields=["run", "number"], name="transport_seat_number_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="transport_seat_number_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"


class Alarm(models.Model):
    """Something a bus did that someone must look at, raised as its GPS points arrive (or a seat
    is added): one row per episode, `at` its first point in breach and `last_at` its latest,
    with what the rule measured (see alarms.py)."""

    class Kind(models.TextChoices):
        SPEEDING = "speeding", _("speeding")
        OFF_ROUTE = "off_route", _("off route")
        UNAPPROVED_STOP = "unapproved_stop", _("stop away from an approved stop")
        OVERLOAD = "overload", _("overloaded")
        DRIVER_SWAP = "driver_swap", _("driver not the licence's")

    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="alarms", db_index=False
    )
    run = models.ForeignKey(Run, on_delete=models.PROTECT, null=True, related_name="alarms")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    last_at = models.DateTimeField(_("last seen at"))
    speed_kmh = models.DecimalField(
        _("speed (km/h)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    limit_kmh = models.PositiveSmallIntegerField(_("limit (km/h)"), null=True, blank=True)
    # Off route: metres from the route's line; a stop: metres from the nearest approved stop.
    distance_m = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), null=True, blank=True)
    seats_allowed = models.PositiveSmallIntegerField(_("seats allowed"), null=True, blank=True)
    # A driver swap: who drove the run instead of the licence's driver.
    driver = models.ForeignKey(
        Driver, on_delete=models.PROTECT, null=True, blank=True, related_name="alarms"
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("bus alarm")
        verbose_name_plural = _("bus alarms")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["vehicle", "at"]),
            models.Index(fields=["vehicle", "kind", "last_at"], name="transport_alarm_episode"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_at__gte=F("at")), name="transport_alarm_last_after_first"
            ),
            # What each kind measured is there: the page and the API show it.
            models.CheckConstraint(
                condition=~Q(kind="speeding")
                | Q(speed_kmh__isnull=False, limit_kmh__isnull=False, latitude__isnull=False),
                name="transport_alarm_speeding_measured",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["off_route", "unapproved_stop"])
                | Q(distance_m__isnull=False, latitude__isnull=False, run__isnull=False),
                name="transport_alarm_position_measured",
            ),
            models.CheckConstraint(
                condition=~Q(kind="overload")
                | Q(seats_taken__isnull=False, seats_allowed__isnull=False, run__isnull=False),
                name="transport_alarm_overload_measured",
            ),
            models.CheckConstraint(
                condition=~Q(kind="driver_swap") | Q(driver__isnull=False, run__isnull=False),
                name="transport_alarm_swap_names_driver",
            ),
            # A run is overloaded, or driven by another, once: one alarm however often checked.
            models.UniqueConstraint(
                fields=["run", "kind"],
                condition=Q(kind__in=["overload", "driver_swap"]),
                name="transport_alarm_once_per_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Point(models.Model):
    """A GPS point of a vehicle: in `transport_point`, partitioned by day (PostgreSQL's own
    partitioning, made by migration 0002 and telemetry.partitions_ensure()); written in batches
    by multi-row inserts, never through the ORM's save()."""

    # The table's key is (id, recorded_at): a partitioned table's key holds the partition key.
    id = models.BigAutoField(primary_key=True)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.DO_NOTHING, db_constraint=False)
    recorded_at = models.DateTimeField(_("recorded at"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    speed_kmh = models.FloatField(_("speed (km/h)"))
    highway = models.BooleanField(_("on a highway"))

    class Meta:
        managed = False
        db_table = "transport_point"
        verbose_name = _("GPS point")
        verbose_name_plural = _("GPS points")

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.recorded_at}"


def _during(start: str, end: str) -> models.Func:
    """`tstzrange(start, end, '[)')`: the time a row takes, for an exclusion constraint."""
    return models.Func(
        F(start),
        F(end),
        models.Value("[)"),
        function="tstzrange",
        output_field=DateTimeRangeField(),
    )


class FieldTrip(models.Model):
    """A school's field trip by bus (研学、春秋游): asked for by the school at least ten school days
    ahead, approved by its principal and then by the district, which names a licensed carrier's
    vehicle and driver; neither is on two approved trips at once (nor on a run: the services
    check runs under the vehicle's and driver's row locks)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("awaiting the principal")
        ENDORSED = "endorsed", _("awaiting the district")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    destination = models.CharField(_("destination"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("leaves at"))
    ends_at = models.DateTimeField(_("back at"))
    pupils = models.PositiveSmallIntegerField(_("pupils"))
    escorts = models.PositiveSmallIntegerField(_("escorts"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="field_trips"
    )
    driver = models.ForeignKey(
        Driver, on_delete=models.PROTECT, null=True, blank=True, related_name="field_trips"
    )
    reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    endorsed_at = models.DateTimeField(_("approved by the principal at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["FieldTrip"].as_manager()

    class Meta:
        verbose_name = _("field trip")
        verbose_name_plural = _("field trips")
        ordering = ["-starts_at", "-id"]
        permissions = [
            ("endorse_fieldtrip", _("Can approve or refuse a field trip for the school")),
            ("decide_fieldtrip", _("Can approve or refuse a field trip for the district")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="transport_fieldtrip_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(pupils__gte=1, escorts__gte=1), name="transport_fieldtrip_people"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(vehicle__isnull=False, driver__isnull=False, decided_at__isnull=False),
                name="transport_fieldtrip_approved_has_bus",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""),
                name="transport_fieldtrip_refusal_has_reason",
            ),
            ExclusionConstraint(
                name="transport_fieldtrip_vehicle_not_twice",
                expressions=[
                    (_same("vehicle"), RangeOperators.OVERLAPS),
                    (_during("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="approved"),
            ),
            ExclusionConstraint(
                name="transport_fieldtrip_driver_not_twice",
                expressions=[
                    (_same("driver"), RangeOperators.OVERLAPS),
                    (_during("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="approved"),
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.destination} {self.starts_at:%Y-%m-%d}"


class RoutePlan(models.Model):
    """A morning route plan the transport officer asked the planner for (planning.py): the
    school, its riders' homes, the candidate stops, the buses and the latest arrival; the
    proposal once the job has run; the routes it was adopted as (new routes, which need their
    licences approved before any run)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        ADOPTED = "adopted", _("adopted")

    school = models.ForeignKey("tenants.School", on_delete=models.PROTECT, related_name="+")
    # What the planner reads: the school's place, riders, stops, buses, latest arrival (ISO).
    problem = models.JSONField(_("problem"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    # The planner's proposal and the current routes' figures beside it.
    proposal = models.JSONField(_("proposal"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    routes = models.ManyToManyField(Route, related_name="+", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["RoutePlan"].as_manager()

    class Meta:
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")
        ordering = ["-created_at", "-id"]
        permissions = [("adopt_routeplan", _("Can adopt a route plan as new routes"))]

    def __str__(self) -> str:
        return f"{self.school_id} {self.created_at:%Y-%m-%d %H:%M}"
