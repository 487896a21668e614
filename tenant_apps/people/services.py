"""Writes about students, their subsidy eligibility and the staff list; and the one way a
national ID number is read unmasked (always logged as a security event)."""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houqin.db import tenant_db
from houqin.exceptions import Conflict, InvalidInput, NotPermitted, TooManyAttempts
from houqin.permissions import current_school_id, has_perm
from shared_apps.accounts.selectors import is_school_staff
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record
from tenant_apps.people import national_id, register, selectors
from tenant_apps.people.models import (
    COMPULSORY_GRADES,
    OVERLAP_CONSTRAINT_PREFIX,
    StaffMember,
    Student,
    SubsidyEligibility,
)
from tenant_apps.people.register import ImportReport, ParsedRow, RowResult, RowStatus, StudentRow

M = TypeVar("M", bound=models.Model)
# Rows per statement when an import writes.
BATCH = 500
# Reading a national ID number unmasked, and finding a student by number: the masked form keeps
# the region and the last four characters, so finding by number answers "is this the number?"
# and reads it one guess at a time. Both are one permission.
UNMASK_PERMISSION = "people.unmask_student"
# Look-ups by number one user may make in one school per window. A number fell to 143 guesses
# at the birth date behind its masked form; at this rate those take over 14 hours, each guess a
# security event.
NATIONAL_ID_LOOKUPS = 10
NATIONAL_ID_LOOKUP_WINDOW = timedelta(hours=1)


def _school_code() -> str:
    return str(getattr(tenant_db().tenant, "code", tenant_db().schema_name))


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


def _others(queryset: QuerySet[M], obj: models.Model | None) -> QuerySet[M]:
    """`queryset` without `obj` (when it is saved)."""
    if obj is None or obj.pk is None:
        return queryset
    return queryset.exclude(pk=obj.pk)


def _check_national_id_free(hash_: str, *, student: Student | None) -> None:
    holder = _others(Student.objects.filter(national_id_hash=hash_), student)
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
    if _others(Student.objects.filter(student_number=number), student).exists():
        message = _("Another student has the student number {number}.").format(number=number)
        raise Conflict(
            message, code="duplicate_student_number", fields={"student_number": [message]}
        )


# Students ----------------------------------------------------------------------------------------


@transaction.atomic
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
    actor: Any,
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


@transaction.atomic
def student_update(*, student: Student, actor: Any, **changes: Any) -> Student:
    """Change a student's details. A `left_on` date (the last day at school) marks the student
    as left and ends every eligibility period that reached past that day; `left_on=None` brings
    them back (`status` may be given too, and must agree). `national_id` replaces the number
    (it is never cleared here)."""
    locked = Student.objects.select_for_update().get(pk=student.pk)
    if "student_number" in changes:
        changes["student_number"] = changes["student_number"].strip()
        _check_student_number(changes["student_number"], student=locked)
    if "name" in changes and not changes["name"].strip():
        raise InvalidInput(_("The name is missing."), fields={"name": [_("Required.")]})
    for key in (*STUDENT_FIELDS, "enrolled_on"):
        if key in changes:
            value = changes[key]
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
        _end_eligibility_at(locked, left_on)
    elif changes.get("left_on") is not None:
        raise InvalidInput(
            _("A student at school has no leaving date."),
            fields={"left_on": [_("Only for a student who has left.")]},
        )
    else:
        left_on = None
    locked.status = status
    locked.left_on = left_on
    locked.save()
    return locked


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
    detail: dict[str, Any] = {"school": _school_code(), "via": via, "count": len(students)}
    if len(students) == 1:
        detail["student_id"] = students[0].pk
        detail["student_number"] = students[0].student_number
    return detail


def student_national_id_reveal(*, student: Student, actor: Any, request: Any = None) -> str | None:
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


def student_national_ids_reveal(
    *, students: Sequence[Student], actor: Any, request: Any = None, via: str = "export"
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


def _lookups_made(actor: Any) -> int:
    """Counts one look-up by number against the actor's budget in this school, and returns how
    many they made in the current window, this one included. The window starts at the first."""
    key = f"people:national-id-lookups:{_school_code()}:{actor.pk}"
    window = int(NATIONAL_ID_LOOKUP_WINDOW.total_seconds())
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=window)
        return 1


def student_national_id_lookup(*, number: str, actor: Any, request: Any = None) -> list[Student]:
    """The students (at most one: the hash is unique) whose national ID number this is. The
    caller has checked the permission (people.unmask_student) and shows them masked.

    Each look-up is a security event of kind PERSONAL_DATA_READ naming the school and the
    students found, never the number. A user makes at most NATIONAL_ID_LOOKUPS in a school per
    NATIONAL_ID_LOOKUP_WINDOW; past that the look-up is refused (TooManyAttempts) before the
    register is read, and the refusal is an event too. A number that is not one is refused
    (InvalidInput) without reading the register or counting."""
    normalized = _valid_national_id(number)
    if _lookups_made(actor) > NATIONAL_ID_LOOKUPS:
        security_event_record(
            kind=SecurityEvent.Kind.PERSONAL_DATA_READ,
            request=request,
            actor=actor,
            detail={**_reveal_detail([], "lookup"), "student_ids": [], "outcome": "refused"},
        )
        raise TooManyAttempts(
            _("You have made as many national ID look-ups as allowed for now; try again later."),
            code="lookup_budget_spent",
        )
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
    return found


# Importing the register --------------------------------------------------------------------------


def students_import(
    *,
    rows: Iterable[StudentRow],
    actor: Any,
    dry_run: bool = False,
    today: date | None = None,
    request: Any = None,
) -> ImportReport:
    """Check every row, then create the new students and update those whose student number is
    already registered (upsert by student number), all in one transaction: when any row has an
    error nothing is written, and the report says which rows and why. An empty 身份证号 cell
    leaves a registered number as it is; the masked form an export wrote counts as unchanged.
    A row's eligibility period is added unless the student already has the very same one.
    Students missing from the file are left as they are. With `dry_run` the report says what
    would happen and nothing is written. Rows carrying ID numbers are compared with the register
    by number, a dry run's too: that needs the unmasking permission and is a security event."""
    rows = list(rows)
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        # One import at a time, and no single edits meanwhile: the checks below read the
        # register, and what they read must still hold when the rows are written. Reads go on.
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE people_student, people_subsidyeligibility IN SHARE ROW EXCLUSIVE MODE"
            )
        parsed = _check_rows(rows, report, today, actor=actor, request=request)
        if report.errors or dry_run:
            return report
        try:
            with transaction.atomic():
                _write_rows(parsed, actor)
        except IntegrityError as exc:
            # Every check above ran under the lock; a constraint failing here is a bug, and the
            # import is refused whole rather than half-saved.
            raise Conflict(
                _("The register could not be saved; nothing was imported. Try again."),
                code="import_failed",
            ) from exc
        report.saved = True
    return report


def _duplicates(values: list[tuple[str, int]]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for value, row in values:
        if value:
            seen.setdefault(value, []).append(row)
    return {value: numbers for value, numbers in seen.items() if len(numbers) > 1}


def _also_in(rows: list[int], row: int) -> str:
    others = [str(n) for n in rows if n != row]
    return ", ".join(others)


Ready = tuple[ParsedRow, RowResult, Student | None]


def _national_id_holders(hashes: Iterable[str], *, actor: Any, request: Any) -> dict[str, str]:
    """Hash -> student number of the registered students holding these numbers. Comparing
    numbers with the register finds students by number, as a look-up does: it needs the
    unmasking permission, and it is a security event naming how many numbers were compared and
    which students were found."""
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    if not has_perm(actor, UNMASK_PERMISSION):
        raise NotPermitted(
            _("Only those who may read national ID numbers unmasked may import them.")
        )
    found = list(
        Student.objects.filter(national_id_hash__in=wanted).values_list(
            "national_id_hash", "student_number", "pk"
        )
    )
    security_event_record(
        kind=SecurityEvent.Kind.PERSONAL_DATA_READ,
        request=request,
        actor=actor,
        detail={
            "school": _school_code(),
            "via": "import",
            "compared": len(wanted),
            "student_ids": sorted(pk for _hash, _number, pk in found),
        },
    )
    return {str(hash_): number for hash_, number, _pk in found}


def _check_rows(
    rows: list[StudentRow], report: ImportReport, today: date, *, actor: Any, request: Any
) -> list[Ready]:
    checked = [register.parse_row(row, today=today) for row in rows]
    report.rows = [result for result, _parsed in checked]
    numbers = _duplicates([(row.student_number, row.row) for row in rows])
    hashes = {
        parsed.row: national_id.lookup_hash(parsed.national_id)
        for _result, parsed in checked
        if parsed is not None and parsed.national_id
    }
    same_ids = _duplicates([(hash_, row) for row, hash_ in hashes.items()])
    existing = {
        student.student_number: student
        for student in Student.objects.filter(
            student_number__in=[row.student_number for row in rows if row.student_number]
        ).prefetch_related("eligibilities")
    }
    holders = _national_id_holders(hashes.values(), actor=actor, request=request)
    ready: list[Ready] = []
    for row, (result, parsed) in zip(rows, checked, strict=True):
        if row.student_number in numbers:
            result.refuse(
                "duplicate_in_file",
                ngettext(
                    "Student number {number} is also listed in row {rows}.",
                    "Student number {number} is also listed in rows {rows}.",
                    len(numbers[row.student_number]) - 1,
                ).format(
                    number=row.student_number, rows=_also_in(numbers[row.student_number], row.row)
                ),
            )
        hash_ = hashes.get(row.row)
        if hash_ is not None and hash_ in same_ids:
            result.refuse(
                "duplicate_national_id_in_file",
                _("The same ID number is also given in row {rows}.").format(
                    rows=_also_in(same_ids[hash_], row.row)
                ),
            )
        if hash_ is not None and holders.get(hash_, row.student_number) != row.student_number:
            result.refuse(
                "duplicate_national_id",
                _("This ID number is already registered for student {number}.").format(
                    number=holders[hash_]
                ),
            )
        if parsed is None or result.status == RowStatus.ERROR:
            continue
        student = existing.get(parsed.student_number)
        _check_against_register(parsed, result, student)
        if result.status != RowStatus.ERROR:
            result.status = RowStatus.CREATED if student is None else _change_of(parsed, student)
            ready.append((parsed, result, student))
    return ready


def _check_against_register(parsed: ParsedRow, result: RowResult, student: Student | None) -> None:
    if parsed.national_id_masked and (
        student is None or student.national_id_masked != parsed.national_id_masked
    ):
        result.refuse(
            "national_id_masked",
            _("The ID number is masked (an export?); write the full number or leave it empty."),
        )
    # An empty cell keeps the date on record.
    enrolled_on = parsed.enrolled_on or (student.enrolled_on if student else None)
    if student is not None and student.left_on and enrolled_on and student.left_on < enrolled_on:
        result.refuse("enrolled_after_leaving", _("The student left before that enrolment date."))
    wanted = parsed.eligibility
    if wanted is None:
        return
    periods = list(student.eligibilities.all()) if student is not None else []
    if any(_same_period(p, wanted) for p in periods):
        return
    problem = _ineligibility(
        programme=wanted.programme,
        valid_from=wanted.valid_from,
        valid_to=wanted.valid_to,
        grade=parsed.grade,
        boarding=parsed.boarding,
        enrolled_on=enrolled_on,
        left_on=student.left_on if student is not None else None,
    )
    if problem:
        result.refuse(*problem)
    clash = next(
        (
            p
            for p in periods
            if p.programme == wanted.programme and _overlaps(p, wanted.valid_from, wanted.valid_to)
        ),
        None,
    )
    if clash is not None:
        result.refuse("eligibility_overlap", _overlap_message(clash))


def _same_period(period: SubsidyEligibility, wanted: register.EligibilityInput) -> bool:
    return (
        period.programme == wanted.programme
        and period.reason == wanted.reason
        and period.valid_from == wanted.valid_from
        and period.valid_to == wanted.valid_to
    )


def _change_of(parsed: ParsedRow, student: Student) -> RowStatus:
    changed = (
        student.name != parsed.name
        or student.gender != parsed.gender
        or student.grade != parsed.grade
        or student.class_name != parsed.class_name
        or student.boarding != parsed.boarding
        or (parsed.enrolled_on is not None and student.enrolled_on != parsed.enrolled_on)
        or (
            bool(parsed.national_id)
            and student.national_id_hash != national_id.lookup_hash(parsed.national_id)
        )
        or (
            parsed.eligibility is not None
            and not any(_same_period(p, parsed.eligibility) for p in student.eligibilities.all())
        )
    )
    return RowStatus.UPDATED if changed else RowStatus.UNCHANGED


IMPORTED_FIELDS = [
    "name",
    "gender",
    "grade",
    "class_name",
    "boarding",
    "enrolled_on",
    "national_id_ciphertext",
    "national_id_hash",
    "national_id_masked",
    "updated_at",
]


def _write_rows(ready: list[Ready], actor: Any) -> None:
    """Write the checked rows in a few statements (the audit triggers record each statement's
    rows in one go)."""
    now = timezone.now()
    new: list[Student] = []
    changed: list[Student] = []
    periods: list[tuple[Student, register.EligibilityInput]] = []
    for parsed, result, found in ready:
        if result.status == RowStatus.UNCHANGED:
            continue
        student = found or Student(student_number=parsed.student_number)
        student.name = parsed.name
        student.gender = parsed.gender
        student.grade = parsed.grade
        student.class_name = parsed.class_name
        student.boarding = parsed.boarding
        student.updated_at = now
        if parsed.enrolled_on is not None:
            student.enrolled_on = parsed.enrolled_on
        if parsed.national_id:
            student.national_id_ciphertext = national_id.encrypt(parsed.national_id)
            student.national_id_hash = national_id.lookup_hash(parsed.national_id)
            student.national_id_masked = national_id.mask(parsed.national_id)
        (new if found is None else changed).append(student)
        wanted = parsed.eligibility
        held = found.eligibilities.all() if found is not None else []
        if wanted is not None and not any(_same_period(p, wanted) for p in held):
            periods.append((student, wanted))
    Student.objects.bulk_create(new, batch_size=BATCH)
    Student.objects.bulk_update(changed, IMPORTED_FIELDS, batch_size=BATCH)
    created_by = actor if getattr(actor, "pk", None) else None
    SubsidyEligibility.objects.bulk_create(
        [
            SubsidyEligibility(
                student=student,
                programme=wanted.programme,
                reason=wanted.reason,
                valid_from=wanted.valid_from,
                valid_to=wanted.valid_to,
                created_by=created_by,
            )
            for student, wanted in periods
        ],
        batch_size=BATCH,
    )


# Subsidy eligibility -----------------------------------------------------------------------------


def _overlaps(period: SubsidyEligibility, valid_from: date, valid_to: date | None) -> bool:
    starts_before_other_ends = period.valid_to is None or valid_from <= period.valid_to
    ends_after_other_starts = valid_to is None or period.valid_from <= valid_to
    return starts_before_other_ends and ends_after_other_starts


def _overlap_message(clash: SubsidyEligibility) -> str:
    return _(
        "The student is already eligible for this programme from {start} to {end}; end that "
        "period first."
    ).format(start=clash.valid_from, end=clash.valid_to or _("no end date"))


def _ineligibility(
    *,
    programme: str,
    valid_from: date,
    valid_to: date | None,
    grade: int,
    boarding: bool,
    enrolled_on: date | None,
    left_on: date | None,
) -> tuple[str, str] | None:
    """(reason, message) when the student cannot hold this programme for this period."""
    if valid_to is not None and valid_to < valid_from:
        return "valid_to_before_valid_from", _("Eligibility ends before it starts.")
    if (
        programme == SubsidyEligibility.Programme.NUTRITION_IMPROVEMENT
        and grade not in COMPULSORY_GRADES
    ):
        return "ineligible_grade", _(
            "The nutrition improvement programme is for compulsory education (grades 1 to 9)."
        )
    if programme == SubsidyEligibility.Programme.BOARDING_LIVING and not boarding:
        return "ineligible_not_boarding", _(
            "The living allowance is for boarding students; this student is not boarding."
        )
    if enrolled_on is not None and valid_from < enrolled_on:
        return "before_enrolment", _(
            "Eligibility cannot start before the student enrolled ({day})."
        ).format(day=enrolled_on)
    if left_on is not None and (valid_to is None or valid_to > left_on):
        return "after_leaving", _(
            "The student left the school on {day}; eligibility must end by then."
        ).format(day=left_on)
    return None


def _refuse_overlap(
    student: Student,
    programme: str,
    valid_from: date,
    valid_to: date | None,
    *,
    exclude: int | None,
) -> None:
    periods = student.eligibilities.filter(programme=programme)
    if exclude is not None:
        periods = periods.exclude(pk=exclude)
    clash = next((p for p in periods if _overlaps(p, valid_from, valid_to)), None)
    if clash is not None:
        raise Conflict(_overlap_message(clash), code="eligibility_overlap")


def _saved_or_conflict(eligibility: SubsidyEligibility) -> SubsidyEligibility:
    """Save; the exclusion constraint refusing it (a writer that skipped the row lock) is the
    same conflict as the check."""
    try:
        with transaction.atomic():
            eligibility.save()
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT_PREFIX in str(exc):
            raise Conflict(
                _("The student is already eligible for this programme during that period."),
                code="eligibility_overlap",
            ) from exc
        raise
    return eligibility


@transaction.atomic
def subsidy_eligibility_create(
    *,
    student: Student,
    programme: str,
    reason: str,
    valid_from: date,
    valid_to: date | None = None,
    note: str = "",
    actor: Any,
) -> SubsidyEligibility:
    """Make `student` eligible for `programme` from `valid_from` to `valid_to` (inclusive; None:
    until ended). Refused when the student cannot hold it (grade, boarding, enrolment, leaving)
    or when it would overlap another period of the same programme. The student's row is locked,
    so two such writes for one student run one after the other; the database's exclusion
    constraint refuses an overlap whatever the path."""
    locked = Student.objects.select_for_update().get(pk=student.pk)
    problem = _ineligibility(
        programme=programme,
        valid_from=valid_from,
        valid_to=valid_to,
        grade=locked.grade,
        boarding=locked.boarding,
        enrolled_on=locked.enrolled_on,
        left_on=locked.left_on,
    )
    if problem:
        raise InvalidInput(problem[1], code=problem[0])
    _refuse_overlap(locked, programme, valid_from, valid_to, exclude=None)
    eligibility = SubsidyEligibility(
        student=locked,
        programme=programme,
        reason=reason,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return _saved_or_conflict(eligibility)


_UNSET: Any = object()


@transaction.atomic
def subsidy_eligibility_update(
    *,
    eligibility: SubsidyEligibility,
    actor: Any,
    valid_to: date | None = _UNSET,
    reason: str | None = None,
    note: str | None = None,
) -> SubsidyEligibility:
    """End (or re-end) a period, or correct its reason or note. The start and the programme
    stay: a different period is a new one."""
    locked_student = Student.objects.select_for_update().get(pk=eligibility.student_id)
    locked = SubsidyEligibility.objects.select_for_update().get(pk=eligibility.pk)
    if valid_to is not _UNSET:
        if valid_to is not None and valid_to < locked.valid_from:
            raise InvalidInput(
                _("Eligibility cannot end before it starts ({day}).").format(day=locked.valid_from),
                code="valid_to_before_valid_from",
                fields={"valid_to": [_("Before the start of the period.")]},
            )
        if locked_student.left_on is not None and (
            valid_to is None or valid_to > locked_student.left_on
        ):
            raise InvalidInput(
                _("The student left the school on {day}; eligibility must end by then.").format(
                    day=locked_student.left_on
                ),
                code="after_leaving",
                fields={"valid_to": [_("After the student left.")]},
            )
        _refuse_overlap(
            locked_student, locked.programme, locked.valid_from, valid_to, exclude=locked.pk
        )
        locked.valid_to = valid_to
    if reason is not None:
        locked.reason = reason
    if note is not None:
        locked.note = note.strip()
    return _saved_or_conflict(locked)


# Staff -------------------------------------------------------------------------------------------


def _check_staff_user(user: Any, *, staff_member: StaffMember | None) -> None:
    if user is None:
        return
    # A staff record names one of the school's own staff: not a student, not a district officer
    # (whose roles hold everywhere) and never a supplier's or an evaluator's account.
    if not is_school_staff(user=user, school_id=current_school_id()):
        raise InvalidInput(
            _("That user holds no staff role in this school."),
            fields={"username": [_("Not a member of the staff.")]},
        )
    taken = _others(StaffMember.objects.filter(user=user), staff_member)
    if taken.exists():
        raise Conflict(
            _("That user is already linked to another staff member."),
            code="user_already_linked",
            fields={"username": [_("Already linked.")]},
        )


def _check_staff_dates(hired_on: date | None, left_on: date | None) -> None:
    if hired_on and left_on and left_on < hired_on:
        raise InvalidInput(
            _("The leaving date is before the hiring date."),
            fields={"left_on": [_("Before the hiring date.")]},
        )


@transaction.atomic
def staff_member_create(
    *,
    name: str,
    position: str,
    phone: str = "",
    user: Any = None,
    hired_on: date | None = None,
    actor: Any,
) -> StaffMember:
    if not name.strip():
        raise InvalidInput(_("The name is missing."), fields={"name": [_("Required.")]})
    _check_staff_user(user, staff_member=None)
    return StaffMember.objects.create(
        name=name.strip(), position=position, phone=phone.strip(), user=user, hired_on=hired_on
    )


@transaction.atomic
def staff_member_update(*, staff_member: StaffMember, actor: Any, **changes: Any) -> StaffMember:
    """Change a staff member's details; `active=False` without `left_on` records today."""
    locked = StaffMember.objects.select_for_update().get(pk=staff_member.pk)
    if "user" in changes:
        _check_staff_user(changes["user"], staff_member=locked)
    if "name" in changes and not changes["name"].strip():
        raise InvalidInput(_("The name is missing."), fields={"name": [_("Required.")]})
    for key in ("name", "position", "phone", "user", "hired_on", "left_on", "active"):
        if key in changes:
            value = changes[key]
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
    if not locked.active and locked.left_on is None:
        locked.left_on = timezone.localdate()
    if locked.active and "active" in changes:
        locked.left_on = None
    _check_staff_dates(locked.hired_on, locked.left_on)
    locked.save()
    return locked
