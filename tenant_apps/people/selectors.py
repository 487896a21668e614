"""Reads about students, their subsidy eligibility and the staff list, for this app's API and for
other school apps (the canteen's real-name servings, subsidy claims). Nothing here decrypts a
national ID number: look-up by number goes through the keyed hash, and what comes back shows
the masked form only (so nothing here is logged as a read of personal data)."""

from collections.abc import Collection
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable

from tenant_apps.people import national_id
from tenant_apps.people.models import (
    ClassTeacher,
    StaffMember,
    Student,
    SubsidyEligibility,
    school_year_of,
)


def student_list() -> QuerySet[Student]:
    return Student.objects.all()


def student_get(*, student_id: int) -> Student | None:
    return Student.objects.filter(pk=student_id).first()


def student_get_by_number(student_number: str) -> Student | None:
    return Student.objects.filter(student_number=student_number.strip()).first()


def student_get_by_national_id(number: str) -> Student | None:
    """The student whose national ID number this is, found by its keyed hash; None when the
    number is not a valid one or belongs to nobody here."""
    try:
        normalized = national_id.validate(number)
    except national_id.InvalidNationalId:
        return None
    return Student.objects.filter(national_id_hash=national_id.lookup_hash(normalized)).first()


def _in_force_on(on: date | Combinable) -> Q:
    """Periods covering the day `on` (both ends inclusive, an empty end open); `on` is a date
    or an expression (an `OuterRef`)."""
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def students_at_school_on(on: date) -> QuerySet[Student]:
    """Students enrolled on `on` (enrolled by then, not yet gone: `left_on` is their last day)."""
    return Student.objects.filter(
        Q(enrolled_on__isnull=True) | Q(enrolled_on__lte=on),
        Q(left_on__isnull=True) | Q(left_on__gte=on),
    )


def eligibility_on(
    student: Student, on: date, programme: str | None = None
) -> QuerySet[SubsidyEligibility]:
    """The student's eligibility periods covering `on`: at most one per programme (the database
    refuses overlaps), so with `programme` (a code) given `.first()` answers "eligible, and
    why?"."""
    periods = SubsidyEligibility.objects.filter(_in_force_on(on), student=student)
    if programme is not None:
        periods = periods.filter(programme__code=programme)
    return periods


def eligibility_in_force(
    *, student: Student | Combinable, on: date | Combinable, programme: str | None = None
) -> Exists:
    """A condition for another app's query: the student held an eligibility period covering the
    day `on` (for `programme`, a programme's code, or for any programme). `student` and `on`
    are values or expressions of the outer query, e.g. `OuterRef("student")`,
    `OuterRef("session__date")`."""
    periods = SubsidyEligibility.objects.filter(_in_force_on(on), student=student)
    if programme is not None:
        periods = periods.filter(programme__code=programme)
    return Exists(periods)


def students_eligible_on(on: date, programme: str | None = None) -> QuerySet[Student]:
    """Students at school on `on` with an eligibility period covering that day (for
    `programme`, or for any programme)."""
    return students_at_school_on(on).filter(
        eligibility_in_force(student=OuterRef("pk"), on=on, programme=programme)
    )


def eligible_students_by_day(*, programme: str, days: Collection[date]) -> dict[date, set[int]]:
    """Day -> the ids of the students at school that day and eligible for `programme` (a code)
    that day, for each of `days`: one query, whatever the number of days."""
    by_day: dict[date, set[int]] = {day: set() for day in days}
    if not by_day:
        return by_day
    first, last = min(by_day), max(by_day)
    periods = (
        SubsidyEligibility.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first),
            programme__code=programme,
            valid_from__lte=last,
        )
        .filter(
            Q(student__enrolled_on__isnull=True) | Q(student__enrolled_on__lte=last),
            Q(student__left_on__isnull=True) | Q(student__left_on__gte=first),
        )
        .values_list(
            "student_id", "valid_from", "valid_to", "student__enrolled_on", "student__left_on"
        )
    )
    for student_id, valid_from, valid_to, enrolled_on, left_on in periods:
        since = max(valid_from, enrolled_on or valid_from)
        until = min(valid_to or date.max, left_on or date.max)
        for day in by_day:
            if since <= day <= until:
                by_day[day].add(student_id)
    return by_day


def subsidy_eligibility_list() -> QuerySet[SubsidyEligibility]:
    return SubsidyEligibility.objects.select_related("student", "programme")


def current_programmes(students: list[Student], on: date) -> dict[int, list[str]]:
    """Student id -> the codes of the programmes each is eligible for on `on`, in one query."""
    current: dict[int, list[str]] = {}
    periods = (
        SubsidyEligibility.objects.filter(_in_force_on(on), student__in=students)
        .order_by("student_id", "programme__code")
        .values_list("student_id", "programme__code")
    )
    for student_id, programme in periods:
        current.setdefault(student_id, []).append(programme)
    return current


def staff_member_list() -> QuerySet[StaffMember]:
    return StaffMember.objects.select_related("user")


def class_teacher_list() -> QuerySet[ClassTeacher]:
    return ClassTeacher.objects.select_related("user")


def classes_taught(*, user_id: int, on: date) -> list[tuple[int, str]]:
    """The (grade, class) pairs whose class teacher `user_id` is in the school year of `on`."""
    rows = ClassTeacher.objects.filter(user_id=user_id, school_year=school_year_of(on))
    return list(rows.values_list("grade", "class_name"))


def pupils_taught(*, user_id: int, on: date) -> QuerySet[Student]:
    """The pupils of the classes whose class teacher `user_id` is in the school year of `on`
    (none when they teach no class)."""
    classes = Q(pk__in=[])
    for grade, class_name in classes_taught(user_id=user_id, on=on):
        classes |= Q(grade=grade, class_name=class_name)
    return Student.objects.filter(classes, status=Student.Status.ACTIVE)


def student_of(*, user_id: int) -> Student | None:
    """The pupil whose own account `user_id` is."""
    return Student.objects.filter(user_id=user_id).first()
