"""Boarding (住宿): dormitory buildings, floors, rooms and beds, and who sleeps in which bed when.

A room is for one sex and holds no more pupils than its floor area allows (2.0 m² per primary
pupil, 2.5 m² per junior-secondary student). An allocation puts one student in one bed for a
period; periods are closed, never overwritten, and neither a bed nor a student is in two
allocations on the same day (exclusion constraints over the dates).
"""

from datetime import time
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import BrinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from houqin.db import one_of
from houqin.money import ZERO, money
from tenant_apps.people.models import DateRange, SingleValueRange, Student


class TimeRange(models.Func):
    """`tstzrange(lower, upper)`: from the first time up to, not including, the second."""

    function = "tstzrange"
    output_field = DateTimeRangeField()


# Floor area a pupil needs, by stage (宿舍建筑设计规范 as the district applies it).
AREA_PER_PUPIL = {"primary": Decimal("2.0"), "junior": Decimal("2.5")}


class Stage(models.TextChoices):
    PRIMARY = "primary", _("primary")
    JUNIOR = "junior", _("junior secondary")


def stage_of(grade: int) -> str | None:
    """The stage of a pupil in `grade`: primary 1–6, junior secondary 7–9, none above."""
    if grade <= 6:
        return Stage.PRIMARY
    return Stage.JUNIOR if grade <= 9 else None


# Grades too young for an upper bunk.
NO_UPPER_BUNK_GRADES = range(1, 4)


class Building(models.Model):
    """A dormitory building."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("dormitory building")
        verbose_name_plural = _("dormitory buildings")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Floor(models.Model):
    """One floor of a dormitory building."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="floors", db_index=False
    )
    level = models.SmallIntegerField(_("level"))

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["building", "level"], name="dorms_floor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.building_id}/{self.level}"


class Room(models.Model):
    """A dormitory room for pupils of one sex and one stage, its capacity bounded by its area."""

    Sex = Student.Gender

    floor = models.ForeignKey(Floor, on_delete=models.PROTECT, related_name="rooms", db_index=False)
    number = models.CharField(_("number"), max_length=16)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    area = models.DecimalField(_("floor area (m²)"), max_digits=6, decimal_places=2)
    capacity = models.PositiveSmallIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("dormitory room")
        verbose_name_plural = _("dormitory rooms")
        ordering = ["floor_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["floor", "number"], name="dorms_room_once"),
            models.CheckConstraint(
                condition=one_of("sex", Student.Gender.values), name="dorms_room_sex"
            ),
            models.CheckConstraint(
                condition=one_of("stage", Stage.values), name="dorms_room_stage"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="dorms_room_capacity"),
            models.CheckConstraint(
                condition=models.Q(
                    stage=Stage.PRIMARY,
                    area__gte=models.F("capacity") * AREA_PER_PUPIL[Stage.PRIMARY],
                )
                | models.Q(
                    stage=Stage.JUNIOR,
                    area__gte=models.F("capacity") * AREA_PER_PUPIL[Stage.JUNIOR],
                ),
                name="dorms_room_area_per_pupil",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Bed(models.Model):
    """One bed in a room; out of service (with the reason) it takes no one."""

    class Bunk(models.TextChoices):
        SINGLE = "single", _("single bed")
        LOWER = "lower", _("lower bunk")
        UPPER = "upper", _("upper bunk")

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="beds", db_index=False)
    number = models.CharField(_("number"), max_length=16)
    bunk = models.CharField(_("bunk"), max_length=8, choices=Bunk.choices, default=Bunk.SINGLE)
    in_service = models.BooleanField(_("in service"), default=True)
    out_of_service_reason = models.CharField(_("why out of service"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("bed")
        verbose_name_plural = _("beds")
        ordering = ["room_id", "number"]
        permissions = [("service_bed", _("Can take a bed out of service and back"))]
        constraints = [
            models.UniqueConstraint(fields=["room", "number"], name="dorms_bed_once"),
            models.CheckConstraint(
                condition=one_of("bunk", ("single", "lower", "upper")), name="dorms_bed_bunk"
            ),
            models.CheckConstraint(
                condition=models.Q(in_service=True, out_of_service_reason="")
                | (models.Q(in_service=False) & ~models.Q(out_of_service_reason="")),
                name="dorms_bed_out_of_service_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """One student in one bed from a day until the day they moved out (open while they stay)."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="allocations")
    start_date = models.DateField(_("from"))
    # The day they moved out: the bed is free again that day. Empty while they stay.
    end_date = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bed allocation")
        verbose_name_plural = _("bed allocations")
        ordering = ["-start_date", "-id"]
        permissions = [
            ("end_allocation", _("Can end a bed allocation")),
            ("bulk_allocation", _("Can allocate a term's boarders in bulk")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gt=models.F("start_date")),
                name="dorms_allocation_ends_after_start",
            ),
            # "Same bed" and "same student" as single-value ranges (no btree_gist: see
            # people.models.SingleValueRange), over half-open date ranges [from, until).
            ExclusionConstraint(
                name="dorms_allocation_one_student_per_bed",
                expressions=[
                    (SingleValueRange("bed"), RangeOperators.OVERLAPS),
                    (
                        DateRange("start_date", "end_date", models.Value("[)")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
            ExclusionConstraint(
                name="dorms_allocation_one_bed_per_student",
                expressions=[
                    (SingleValueRange("student"), RangeOperators.OVERLAPS),
                    (
                        DateRange("start_date", "end_date", models.Value("[)")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.bed_id} {self.start_date}–{self.end_date or '…'}"


class Policy(models.Model):
    """The school's boarding settings: when the night's roll call is taken. One row."""

    roll_call_at = models.TimeField(_("roll call at"), default=time(22, 0))

    class Meta:
        verbose_name = _("boarding policy")
        verbose_name_plural = _("boarding policies")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="dorms_policy_one")]

    def __str__(self) -> str:
        return str(self.roll_call_at)


class Guardian(models.Model):
    """Who is told when a boarder is missing at the roll call."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        validators=[RegexValidator(r"^\+?[0-9][0-9 \-]{4,18}$", _("Enter a phone number."))],
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["student_id", "id"]

    def __str__(self) -> str:
        return self.name


class DoorEvent(models.Model):
    """One pass through a dormitory's access terminal, as the terminal reported it (once: the
    terminal's own event id makes a report sent again the same event)."""

    class Direction(models.TextChoices):
        IN = "in", _("in")
        OUT = "out", _("out")

    class Method(models.TextChoices):
        CARD = "card", _("card")
        FACE = "face", _("face")

    device = models.CharField(_("device"), max_length=64)
    device_event_id = models.CharField(_("device's event id"), max_length=64)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+", db_index=False)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    method = models.CharField(_("method"), max_length=4, choices=Method.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("door event")
        verbose_name_plural = _("door events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["student", "occurred_at"], name="dorms_door_student_time"),
            # The roll call reads one night's passes out of months of them. Passes arrive in
            # time order, so a block range index finds the night's blocks at almost no cost per
            # pass written (a b-tree on the time was slower to read and dearer to write).
            BrinIndex(fields=["occurred_at"], name="dorms_door_time_brin", autosummarize=True),
        ]
        constraints = [
            models.UniqueConstraint(fields=["device", "device_event_id"], name="dorms_door_once"),
            models.CheckConstraint(
                condition=one_of("direction", ("in", "out")), name="dorms_door_direction"
            ),
            models.CheckConstraint(
                condition=one_of("method", ("card", "face")), name="dorms_door_method"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device}:{self.device_event_id}"


class Leave(models.Model):
    """A boarder's leave (请假) from a time to a time, approved by the dorm manager."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # A class teacher (staff) follows the leaves they asked for.
    owner_field: ClassVar[str] = "requested_by"

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["-starts_at", "-id"]
        permissions = [("approve_leave", _("Can approve or reject a leave"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="dorms_leave_ends_after_start",
            ),
            models.CheckConstraint(
                condition=one_of("status", ("requested", "approved", "rejected")),
                name="dorms_leave_status",
            ),
            models.CheckConstraint(
                condition=models.Q(status="requested", decided_at__isnull=True)
                | (~models.Q(status="requested") & models.Q(decided_at__isnull=False)),
                name="dorms_leave_decided_has_time",
            ),
            # A student's leaves that stand (asked for or granted) never overlap.
            ExclusionConstraint(
                name="dorms_leave_no_overlap",
                expressions=[
                    (SingleValueRange("student"), RangeOperators.OVERLAPS),
                    (TimeRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=~models.Q(status="rejected"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.starts_at}–{self.ends_at}"


class RollCall(models.Model):
    """The night's roll call: who was in at the school's time, late, absent or on leave."""

    night = models.DateField(_("night"), unique=True)
    due_at = models.DateTimeField(_("due at"))
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("roll call")
        verbose_name_plural = _("roll calls")
        ordering = ["-night"]
        permissions = [("take_rollcall", _("Can take the night's roll call"))]

    def __str__(self) -> str:
        return str(self.night)


class RollCallEntry(models.Model):
    """One boarder at one roll call."""

    class Status(models.TextChoices):
        IN = "in", _("in")
        LATE = "late", _("late")
        ABSENT = "absent", _("absent")
        LEAVE = "leave", _("on leave")

    roll_call = models.ForeignKey(
        RollCall, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    # The pass that decided it: the last one in before the time, or the late one after it.
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roll call entry")
        verbose_name_plural = _("roll call entries")
        ordering = ["roll_call_id", "bed_id"]
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "student"], name="dorms_rollcall_once"),
            models.CheckConstraint(
                condition=one_of("status", ("in", "late", "absent", "leave")),
                name="dorms_rollcall_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roll_call_id} {self.student_id} {self.status}"


class Visitor(models.Model):
    """Someone who came into a dormitory building, and whom they came to see. The ID number is
    stored like the register's: encrypted, a keyed hash for look-up, and the masked form shown."""

    name = models.CharField(_("name"), max_length=50)
    national_id_ciphertext = models.BinaryField(_("ID number, encrypted"), editable=False)
    national_id_hash = models.CharField(_("ID number, keyed hash"), max_length=64, editable=False)
    national_id_masked = models.CharField(_("ID number (masked)"), max_length=18, editable=False)
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    arrived_at = models.DateTimeField(_("arrived at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    secret_fields: ClassVar[tuple[str, ...]] = ("national_id_ciphertext", "national_id_hash")
    audit_redacted_fields: ClassVar[tuple[str, ...]] = secret_fields

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["-arrived_at", "-id"]
        permissions = [("leave_visitor", _("Can record a visitor's leaving"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True)
                | models.Q(left_at__gte=models.F("arrived_at")),
                name="dorms_visitor_leaves_after_arriving",
            ),
            models.CheckConstraint(
                condition=models.Q(national_id_masked__regex=r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$"),
                name="dorms_visitor_national_id_masked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.national_id_masked}"


class Inspection(models.Model):
    """A hygiene or safety check of one room on one day, scored out of 100."""

    class Kind(models.TextChoices):
        HYGIENE = "hygiene", _("hygiene")
        SAFETY = "safety", _("safety")

    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="inspections", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    inspected_on = models.DateField(_("inspected on"))
    score = models.PositiveSmallIntegerField(_("score"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "room_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "kind", "inspected_on"], name="dorms_inspection_once_a_day"
            ),
            models.CheckConstraint(
                condition=one_of("kind", ("hygiene", "safety")), name="dorms_inspection_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="dorms_inspection_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id} {self.kind} {self.inspected_on}"


class FeeCharge(models.Model):
    """The boarding fee (住宿费) charged to one boarder for one term, where the school may charge
    it, and its refund when they leave the dormitory during the term: the share of the term's
    school days left, due within 15 working days of their leaving."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+", db_index=False)
    term = models.ForeignKey("canteen.SchoolTerm", on_delete=models.PROTECT, related_name="+")
    amount = money(_("amount"))
    charged_on = models.DateField(_("charged on"))
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    left_on = models.DateField(_("left the dormitory on"), null=True, blank=True)
    refund = money(_("refund"), default=ZERO)
    refund_due = models.DateField(_("refund due by"), null=True, blank=True)
    refunded_on = models.DateField(_("refunded on"), null=True, blank=True)
    refund_reference = models.CharField(_("refund reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("boarding fee")
        verbose_name_plural = _("boarding fees")
        ordering = ["-charged_on", "-id"]
        permissions = [("refund_feecharge", _("Can record a boarding fee's refund as paid"))]
        constraints = [
            models.UniqueConstraint(fields=["student", "term"], name="dorms_fee_once_a_term"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="dorms_fee_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(refund__gte=0) & models.Q(refund__lte=models.F("amount")),
                name="dorms_fee_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True, refund_due__isnull=True, refund=0)
                | models.Q(left_on__isnull=False, refund_due__isnull=False),
                name="dorms_fee_refund_due_when_left",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_on__isnull=True)
                | models.Q(refund_due__isnull=False, refund__gt=0),
                name="dorms_fee_refunded_when_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.term_id} {self.amount}"


class RoomChange(models.Model):
    """A request to move a boarder to another bed (调宿): asked for by the pupil or their class
    teacher, reviewed by the dorm manager (who names the bed and the day), approved by the
    logistics director, when the allocation moves; refused at either step with the reason."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        REVIEWED = "reviewed", _("reviewed")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    # The bed asked for, then the one the dorm manager names; the day the move is made.
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    move_on = models.DateField(_("move on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    refusal = models.CharField(_("why refused"), max_length=200, blank=True)
    # The allocation the approval made.
    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # A pupil, or a class teacher, follows the requests they made.
    owner_field: ClassVar[str] = "requested_by"

    class Meta:
        verbose_name = _("room change")
        verbose_name_plural = _("room changes")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("review_roomchange", _("Can review a room change (the dorm manager's step)")),
            ("approve_roomchange", _("Can approve a room change (the director's step)")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=one_of("status", ("requested", "reviewed", "approved", "refused")),
                name="dorms_roomchange_status",
            ),
            # One request open at a time per pupil.
            models.UniqueConstraint(
                fields=["student"],
                condition=one_of("status", ("requested", "reviewed")),
                name="dorms_roomchange_one_open",
            ),
            models.CheckConstraint(
                condition=one_of("status", ("requested", "refused"))
                | models.Q(bed__isnull=False, move_on__isnull=False, reviewed_at__isnull=False),
                name="dorms_roomchange_reviewed_names_bed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(allocation__isnull=False, decided_at__isnull=False),
                name="dorms_roomchange_approved_moved",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="refused") & ~models.Q(refusal=""))
                | (~models.Q(status="refused") & models.Q(refusal="")),
                name="dorms_roomchange_refused_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.get_status_display()}"
