"""Writes about students: the register one student at a time, and the one way a national ID
number is read unmasked or a student found by number (always logged as a security event)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict, Unpack

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput, TooManyAttempts
from houqin.months import add_months
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record
from shared_apps.subsidies import closing
from shared_apps.subsidies.models import MonthCorrection
from tenant_apps.people import national_id, register, selectors
from tenant_apps.people.models import Student
from tenant_apps.people.services._common import others, school_code

# Reading a national ID number unmasked, and finding a student by number: the masked form keeps
# the region and the last four characters, so finding by number answers "is this the number?"
# and reads it one guess at a time. Both are one permission.
UNMASK_PERMISSION = "people.unmask_student"
# Look-ups by number one user may make in one school per window. A number fell to 143 guesses
# at the birth date behind its masked form; at this rate those take over 14 hours, each guess a
# security event.
NATIONAL_ID_LOOKUPS = 10
NATIONAL_ID_LOOKUP_WINDOW = timedelta(hours=1)


def _valid_national_id(raw: str) -> str:
    """The normalized number, or InvalidInput saying what is wrong with it."""
    try:
        return national_id.validate(raw)
    except national_id.InvalidNationalId as exc:
        raise InvalidInput(
            exc.message, code="invalid_national_id", fields={"national_id": [exc.message]}
        ) from exc


def _national_id_fields(raw: str) -> dict[str, Any]:
    """The stored columns for a national ID number, or InvalidInput saying what is wrong."""
    number = _valid_national_id(raw)
    return {
        "national_id_ciphertext": national_id.encrypt(number),
        "national_id_hash": national_id.lookup_hash(number),
        "national_id_masked": national_id.mask(number),
    }


def _check_national_id_free(hash_: str, *, student: Student | None) -> None:
    holder = others(Student.objects.filter(national_id_hash=hash_), student)
    other = holder.values_list("student_number", flat=True).first()
    if other is not None:
        message = _("This ID number is already registered for student {number}.").format(
            number=other
        )
        raise Conflict(message, code="duplicate_national_id", fields={"national_id": [message]})


def _check_student_number(number: str, *, student: Student | None) -> None:
    problem = register.student_number_problem(number)
    if problem:
        raise InvalidInput(problem[1], code=problem[0], fields={"student_number": [problem[1]]})
    if others(Student.objects.filter(student_number=number), student).exists():
        message = _("Another student has the student number {number}.").format(number=number)
        raise Conflict(
            message, code="duplicate_student_number", fields={"student_number": [message]}
        )


@service
def student_create(
    *,
    student_number: str,
    name: str,
    gender: str,
    grade: int,
    class_name: str = "",
    boarding: bool = False,
    enrolled_on: date | None = None,
    national_id: str = "",
    actor: Actor,
) -> Student:
    student_number = student_number.strip()
    _check_student_number(student_number, student=None)
    if not name.strip():
        raise InvalidInput(_("The name is missing."), fields={"name": [_("Required.")]})
    student = Student(
        student_number=student_number,
        name=name.strip(),
        gender=gender,
        grade=grade,
        class_name=class_name.strip(),
        boarding=boarding,
        enrolled_on=enrolled_on,
    )
    if national_id.strip():
        id_fields = _national_id_fields(national_id)
        _check_national_id_free(id_fields["national_id_hash"], student=None)
        for key, value in id_fields.items():
            setattr(student, key, value)
    student.save()
    return student


STUDENT_FIELDS = ("student_number", "name", "gender", "grade", "class_name", "boarding")


class StudentChanges(TypedDict, total=False):
    student_number: str
    name: str
    gender: str
    grade: int
    class_name: str
    boarding: bool
    enrolled_on: date | None
    national_id: str
    status: str
    left_on: date | None


@service
def student_update(
    *,
    student: Student,
    actor: Actor,
    correction_reason: str = "",
    **changes: Unpack[StudentChanges],
) -> Student:
    """Change a student's details. A `left_on` date (the last day at school) marks the student
    as left and ends every eligibility period that reached past that day; `left_on=None` brings
    them back (`status` may be given too, and must agree). `national_id` replaces the number
    (it is never cleared here). A change of the days the student was at school that reaches
    into a closed month is a correction (`shared_apps.subsidies.closing`)."""
    locked = Student.objects.select_for_update().get(pk=student.pk)
    was_at_school = (locked.enrolled_on, locked.left_on)
    if "student_number" in changes:
        changes["student_number"] = changes["student_number"].strip()
        _check_student_number(changes["student_number"], student=locked)
    if "name" in changes and not changes["name"].strip():
        raise InvalidInput(_("The name is missing."), fields={"name": [_("Required.")]})
    for key, value in changes.items():
        if key in (*STUDENT_FIELDS, "enrolled_on"):
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
    raw_id = changes.get("national_id") or ""
    if raw_id.strip():
        id_fields = _national_id_fields(raw_id)
        _check_national_id_free(id_fields["national_id_hash"], student=locked)
        for key, value in id_fields.items():
            setattr(locked, key, value)
    status = changes.get("status")
    if status is None and "left_on" in changes:
        left = changes["left_on"] is not None
        status = Student.Status.LEFT if left else Student.Status.ACTIVE
    status = status or locked.status
    if status == Student.Status.LEFT:
        left_on = changes.get("left_on") or locked.left_on
        if left_on is None:
            raise InvalidInput(
                _("Give the last day the student was at school."),
                fields={"left_on": [_("Required when the student has left.")]},
            )
        if locked.enrolled_on and left_on < locked.enrolled_on:
            raise InvalidInput(
                _("The student cannot leave before enrolling."),
                fields={"left_on": [_("Before the enrolment date.")]},
            )
    elif changes.get("left_on") is not None:
        raise InvalidInput(
            _("A student at school has no leaving date."),
            fields={"left_on": [_("Only for a student who has left.")]},
        )
    else:
        left_on = None
    locked.status = status
    locked.left_on = left_on
    with closing.month_change(
        days=_days_moved(was_at_school, (locked.enrolled_on, left_on)),
        change=MonthCorrection.Change.ELIGIBILITY,
        reason=correction_reason,
        actor=actor,
    ) as change:
        if left_on is not None:
            _end_eligibility_at(locked, left_on)
        locked.save()
        change.detail = _("%(student)s at school from %(start)s to %(end)s") % {
            "student": locked.student_number,
            "start": locked.enrolled_on or "…",
            "end": left_on or "…",
        }
    return locked


def _days_moved(
    before: tuple[date | None, date | None], after: tuple[date | None, date | None]
) -> list[date]:
    """The first days of the months (up to this one, at most `closing.MAX_MONTHS` back) in
    which a student's time at school, [enrolled, left], changed."""
    today = timezone.localdate()
    earliest = add_months(today.replace(day=1), 1 - closing.MAX_MONTHS)
    months: set[date] = set()
    for old, new in zip(before, after, strict=True):
        if old != new:
            first = max(min(old or date.min, new or date.min), earliest)
            last = min(max(old or date.max, new or date.max), today)
            months.update(closing.months_between(first, last) if first <= last else [])
    return sorted(months)


def _end_eligibility_at(student: Student, left_on: date) -> None:
    later = student.eligibilities.select_for_update().filter(valid_from__gt=left_on)
    if later.exists():
        raise Conflict(
            _("The student has eligibility starting after that day; end or correct it first."),
            code="eligibility_after_leaving",
        )
    student.eligibilities.filter(valid_to__isnull=True).update(valid_to=left_on)
    student.eligibilities.filter(valid_to__gt=left_on).update(valid_to=left_on)


def _reveal_detail(students: Sequence[Student], via: str) -> dict[str, Any]:
    detail: dict[str, Any] = {"school": school_code(), "via": via, "count": len(students)}
    if len(students) == 1:
        detail["student_id"] = students[0].pk
        detail["student_number"] = students[0].student_number
    return detail


@service
def student_national_id_reveal(
    *, student: Student, actor: Actor, request: HttpRequest | None = None
) -> str | None:
    """The student's national ID number in clear, after recording who read it (a security
    event of kind PERSONAL_DATA_READ). None, and nothing recorded, when none is stored. The
    caller has checked the permission (people.unmask_student)."""
    if student.national_id_ciphertext is None:
        return None
    number = national_id.decrypt(student.national_id_ciphertext)
    security_event_record(
        kind=SecurityEvent.Kind.PERSONAL_DATA_READ,
        request=request,
        actor=actor,
        detail=_reveal_detail([student], "api"),
    )
    return number


@service
def student_national_ids_reveal(
    *,
    students: Sequence[Student],
    actor: Actor,
    request: HttpRequest | None = None,
    via: str = "export",
) -> dict[int, str]:
    """Clear national ID numbers by student id, for an export: one security event names how
    many were read. Students without a number are left out (and not counted)."""
    with_id = [s for s in students if s.national_id_ciphertext is not None]
    if not with_id:
        return {}
    numbers = {s.pk: national_id.decrypt(s.national_id_ciphertext) for s in with_id}  # type: ignore[arg-type]
    detail = _reveal_detail(with_id, via)
    security_event_record(
        kind=SecurityEvent.Kind.PERSONAL_DATA_READ, request=request, actor=actor, detail=detail
    )
    return numbers


def _lookups_made(actor: Actor) -> int:
    """Counts one look-up by number against the actor's budget in this school, and returns how
    many they made in the current window, this one included. The window starts at the first."""
    key = f"people:national-id-lookups:{school_code()}:{actor.pk}"
    window = int(NATIONAL_ID_LOOKUP_WINDOW.total_seconds())
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=window)
        return 1


@dataclass(frozen=True)
class NationalIdLookup:
    """What a look-up by number found, or that it was refused: the refusal is recorded as the
    look-up's service commits, and raised when the caller asks for the students."""

    found: list[Student]
    refused: bool = False

    def students(self) -> list[Student]:
        if self.refused:
            raise TooManyAttempts(
                _(
                    "You have made as many national ID look-ups as allowed for now; "
                    "try again later."
                ),
                code="lookup_budget_spent",
            )
        return self.found


@service
def student_national_id_lookup(
    *, number: str, actor: Actor, request: HttpRequest | None = None
) -> NationalIdLookup:
    """The students (at most one: the hash is unique) whose national ID number this is. The
    caller has checked the permission (people.unmask_student) and shows them masked.

    Each look-up is a security event of kind PERSONAL_DATA_READ naming the school and the
    students found, never the number. A user makes at most NATIONAL_ID_LOOKUPS in a school per
    NATIONAL_ID_LOOKUP_WINDOW; past that the look-up is refused (TooManyAttempts, from
    `students()`) before the register is read, and the refusal is an event too. A number that is
    not one is refused (InvalidInput) without reading the register or counting."""
    normalized = _valid_national_id(number)
    if _lookups_made(actor) > NATIONAL_ID_LOOKUPS:
        security_event_record(
            kind=SecurityEvent.Kind.PERSONAL_DATA_READ,
            request=request,
            actor=actor,
            detail={**_reveal_detail([], "lookup"), "student_ids": [], "outcome": "refused"},
        )
        return NationalIdLookup(found=[], refused=True)
    student = selectors.student_get_by_national_id(normalized)
    found = [student] if student is not None else []
    detail = {
        **_reveal_detail(found, "lookup"),
        "student_ids": [s.pk for s in found],
        "outcome": "found" if found else "not_found",
    }
    security_event_record(
        kind=SecurityEvent.Kind.PERSONAL_DATA_READ, request=request, actor=actor, detail=detail
    )
    return NationalIdLookup(found=found)
