"""The student register (学籍) with subsidy eligibility, and the school's logistics staff list.

National ID numbers are never stored in clear: the ciphertext (AES-GCM), a keyed hash for
look-up and the masked form are kept instead (see national_id.py), and the audit trail copies
neither the ciphertext nor the hash.
"""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, DateRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shared_apps.subsidies.models import Programme

GRADES = range(1, 13)
# Compulsory education (义务教育): primary grades 1-6 and junior secondary grades 7-9.
COMPULSORY_GRADES = range(1, 10)
OVERLAP_CONSTRAINT = "people_eligibility_no_overlap"
# The month a school year begins in.
SCHOOL_YEAR_STARTS = 9


class DateRange(models.Func):
    """`daterange(lower, upper, '[]')`: both ends inclusive, an open (NULL) end unbounded."""

    function = "daterange"
    output_field = DateRangeField()


class SingleValueRange(models.Func):
    """`int8range(v, v, '[]')`: two such ranges overlap exactly when the values are equal. With
    it an exclusion constraint says "same student" using GiST's built-in range operators, without
    the btree_gist extension (which the embedded development server does not ship)."""

    function = "int8range"
    output_field = BigIntegerRangeField()

    def __init__(self, expression: str) -> None:
        super().__init__(expression, expression, models.Value("[]"))


class Student(models.Model):
    """One student in the school's register, with the national ID number encrypted."""

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    class Status(models.TextChoices):
        ACTIVE = "active", _("at school")
        LEFT = "left", _("left")

    student_number = models.CharField(_("student number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(GRADES[0]), MaxValueValidator(GRADES[-1])]
    )
    class_name = models.CharField(_("class"), max_length=32, blank=True)
    boarding = models.BooleanField(_("boarding"), default=False)
    # The pupil's own account, when they have one: what they ask for is their own.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user account"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    # The last day the student was at the school.
    left_on = models.DateField(_("left on"), null=True, blank=True)
    national_id_ciphertext = models.BinaryField(
        _("national ID number, encrypted"), null=True, editable=False
    )
    national_id_hash = models.CharField(
        _("national ID number, keyed hash"), max_length=64, null=True, unique=True, editable=False
    )
    national_id_masked = models.CharField(
        _("national ID number (masked)"), max_length=18, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The number and what is derived from it (houqin.secret_fields): nothing filters, searches
    # or orders by them, and the audit trail never copies them. The masked form is neither.
    secret_fields: ClassVar[tuple[str, ...]] = ("national_id_ciphertext", "national_id_hash")
    audit_redacted_fields: ClassVar[tuple[str, ...]] = secret_fields

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["grade", "class_name", "student_number"]
        permissions = [
            ("unmask_student", _("Can read students' national ID numbers unmasked")),
            ("import_student", _("Can import the student register")),
        ]
        indexes = [models.Index(fields=["grade", "class_name"], name="people_student_class")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=GRADES[0], grade__lte=GRADES[-1]),
                name="people_student_grade_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", left_on__isnull=True)
                | models.Q(status="left", left_on__isnull=False),
                name="people_student_left_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(enrolled_on__isnull=True)
                | models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("enrolled_on")),
                name="people_student_left_after_enrolled",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    national_id_ciphertext__isnull=True,
                    national_id_hash__isnull=True,
                    national_id_masked="",
                )
                | models.Q(
                    national_id_ciphertext__isnull=False,
                    national_id_hash__isnull=False,
                    national_id_masked__regex=r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$",
                ),
                name="people_student_national_id_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_number} {self.name}"


class SubsidyEligibility(models.Model):
    """A period in which one student may receive one subsidy programme, and the reason why.
    The programme is the district's row (`subsidies.Programme`): a claim under it counts the
    students eligible for it, whatever programme the district creates."""

    class Reason(models.TextChoices):
        RURAL_COMPULSORY = "rural_compulsory", _("rural compulsory-education student")
        REGISTERED_POOR = "registered_poor", _("registered poor household")
        MINIMUM_LIVING = "minimum_living", _("minimum living allowance")
        EXTREME_POVERTY = "extreme_poverty", _("extreme poverty support")
        ORPHAN = "orphan", _("orphan")
        DISABILITY = "disability", _("disability")
        OTHER = "other", _("other")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="eligibilities")
    # The database's foreign key refuses to delete a programme a period names; the ORM's own
    # check would look for this school table from the public schema, where it is not.
    programme = models.ForeignKey(
        Programme, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("programme")
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    # Inclusive; empty while the period has no end yet.
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("subsidy eligibility")
        verbose_name_plural = _("subsidy eligibility")
        ordering = ["student_id", "programme_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="people_eligibility_ends_after_start",
            ),
            # Two periods of one student in one programme never share a day, however they are
            # written. "Same student" and "same programme" are single-value ranges that overlap
            # when equal: GiST's own range operators, without the btree_gist extension (which
            # the embedded development server does not ship).
            ExclusionConstraint(
                name=OVERLAP_CONSTRAINT,
                expressions=[
                    (SingleValueRange("student"), RangeOperators.OVERLAPS),
                    (SingleValueRange("programme"), RangeOperators.OVERLAPS),
                    (
                        DateRange("valid_from", "valid_to", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.programme_id} {self.valid_from}–{self.valid_to or '…'}"


class StaffMember(models.Model):
    """One person working in the school's logistics: canteen, dormitories, repairs, buses."""

    class Position(models.TextChoices):
        COOK = "cook", _("cook")
        CANTEEN_WORKER = "canteen_worker", _("canteen worker")
        DORM_KEEPER = "dorm_keeper", _("dormitory keeper")
        REPAIR_WORKER = "repair_worker", _("repair worker")
        CLEANER = "cleaner", _("cleaner")
        SECURITY_GUARD = "security_guard", _("security guard")
        DRIVER = "driver", _("driver")
        BUS_ESCORT = "bus_escort", _("bus escort")
        STOREKEEPER = "storekeeper", _("storekeeper")
        MANAGER = "manager", _("logistics manager")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=32, choices=Position.choices)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9][0-9 \-]{4,18}$", _("Enter a phone number."))],
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user account"),
    )
    active = models.BooleanField(_("active"), default=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(user__isnull=False),
                name="people_staffmember_one_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(hired_on__isnull=True)
                | models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("hired_on")),
                name="people_staffmember_left_after_hired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_position_display()})"


def school_year_of(day: date) -> int:
    """The school year `day` falls in, named by the year it begins (September)."""
    return day.year if day.month >= SCHOOL_YEAR_STARTS else day.year - 1


class ClassTeacher(models.Model):
    """Who is the class teacher (班主任) of one class for one school year: a staff account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("class teacher"),
    )
    school_year = models.PositiveSmallIntegerField(_("school year (the year it begins)"))
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(GRADES[0]), MaxValueValidator(GRADES[-1])]
    )
    class_name = models.CharField(_("class"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("class teacher")
        verbose_name_plural = _("class teachers")
        ordering = ["-school_year", "grade", "class_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "grade", "class_name"], name="people_class_teacher_once"
            ),
            models.CheckConstraint(
                condition=models.Q(grade__gte=GRADES[0], grade__lte=GRADES[-1]),
                name="people_class_teacher_grade_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(class_name=""), name="people_class_teacher_class_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.grade}/{self.class_name}"
