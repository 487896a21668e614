"""Importing the register (学籍) from a spreadsheet: every row checked, then all written or
none, with a report per row."""

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houqin.door import Actor, service
from houqin.exceptions import Conflict, NotPermitted
from houqin.imports import (
    ImportReport,
    RowResult,
    RowStatus,
    listed_twice,
    other_rows,
    save_all_or_nothing,
)
from houqin.permissions import has_perm
from shared_apps.accounts.actors import person
from shared_apps.audit.models import SecurityEvent
from shared_apps.audit.services import security_event_record
from shared_apps.subsidies import closing
from shared_apps.subsidies import selectors as subsidies
from shared_apps.subsidies.models import Claim
from tenant_apps.people import national_id, register
from tenant_apps.people.models import Student, SubsidyEligibility
from tenant_apps.people.register import ParsedRow, StudentRow
from tenant_apps.people.services._common import school_code
from tenant_apps.people.services.eligibility import _ineligibility, _overlap_message, _overlaps
from tenant_apps.people.services.students import UNMASK_PERMISSION

# Rows per statement when an import writes.
BATCH = 500


@service
def students_import(
    *,
    rows: Iterable[StudentRow],
    actor: Actor,
    dry_run: bool = False,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Check every row, then create the new students and update those whose student number is
    already registered (upsert by student number), all in one transaction: when any row has an
    error nothing is written, and the report says which rows and why (the caller refuses the
    import with them, `houqin.imports.refuse_faulty`, once this transaction is over). An empty
    身份证号 cell leaves a registered number as it is; the masked form an export wrote counts as
    unchanged. A row's eligibility period is added unless the student already has the very same
    one. Students missing from the file are left as they are. With `dry_run` the report says
    what would happen and nothing is written. Rows carrying ID numbers are compared with the
    register by number, a dry run's too: that needs the unmasking permission and is a security
    event."""
    rows = list(rows)
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run, key="student_number")
    with transaction.atomic():
        # One import at a time, and no single edits meanwhile: the checks below read the
        # register, and what they read must still hold when the rows are written. Reads go on.
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE people_student, people_subsidyeligibility IN SHARE ROW EXCLUSIVE MODE"
            )
        parsed = _check_rows(rows, report, today, actor=actor, request=request)
        if report.errors:
            # Returned, not refused here: the comparison with the register stays recorded.
            return report
        # Every check above ran under the lock; a constraint failing here is a bug, and the
        # import is refused whole rather than half-saved.
        conflict = Conflict(
            _("The register could not be saved; nothing was imported. Try again."),
            code="import_failed",
        )
        save_all_or_nothing(report, lambda: _write_rows(parsed, actor), conflict=conflict)
    return report


Ready = tuple[ParsedRow, RowResult, Student | None]


def _national_id_holders(
    hashes: Iterable[str], *, actor: Actor, request: HttpRequest | None
) -> dict[str, str]:
    """Hash -> student number of the registered students holding these numbers. Comparing
    numbers with the register finds students by number, as a look-up does: it needs the
    unmasking permission, and it is a security event naming how many numbers were compared and
    which students were found."""
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    user = person(actor)
    if user is None or not has_perm(user, UNMASK_PERMISSION):
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
            "school": school_code(),
            "via": "import",
            "compared": len(wanted),
            "student_ids": sorted(pk for _hash, _number, pk in found),
        },
    )
    return {str(hash_): number for hash_, number, _pk in found}


def _check_rows(
    rows: list[StudentRow],
    report: ImportReport,
    today: date,
    *,
    actor: Actor,
    request: HttpRequest | None,
) -> list[Ready]:
    programmes = register.programme_spellings(subsidies.programme_list())
    checked = [register.parse_row(row, today=today, programmes=programmes) for row in rows]
    report.rows = [result for result, _parsed in checked]
    numbers = listed_twice([(row.student_number, row.row) for row in rows])
    hashes = {
        parsed.row: national_id.lookup_hash(parsed.national_id)
        for _result, parsed in checked
        if parsed is not None and parsed.national_id
    }
    same_ids = listed_twice([(hash_, row) for row, hash_ in hashes.items()])
    existing = {
        student.student_number: student
        for student in Student.objects.filter(
            student_number__in=[row.student_number for row in rows if row.student_number]
        ).prefetch_related("eligibilities")
    }
    holders = _national_id_holders(hashes.values(), actor=actor, request=request)
    closed = _closed_months([parsed for _result, parsed in checked if parsed is not None], today)
    ready: list[Ready] = []
    for row, (result, parsed) in zip(rows, checked, strict=True):
        if row.student_number in numbers:
            result.problem(
                "student_number",
                "duplicate_in_file",
                ngettext(
                    "Student number {number} is also listed in row {rows}.",
                    "Student number {number} is also listed in rows {rows}.",
                    len(numbers[row.student_number]) - 1,
                ).format(
                    number=row.student_number, rows=other_rows(numbers[row.student_number], row.row)
                ),
            )
        hash_ = hashes.get(row.row)
        if hash_ is not None and hash_ in same_ids:
            result.problem(
                "national_id",
                "duplicate_national_id_in_file",
                _("The same ID number is also given in row {rows}.").format(
                    rows=other_rows(same_ids[hash_], row.row)
                ),
            )
        if hash_ is not None and holders.get(hash_, row.student_number) != row.student_number:
            result.problem(
                "national_id",
                "duplicate_national_id",
                _("This ID number is already registered for student {number}.").format(
                    number=holders[hash_]
                ),
            )
        if parsed is None or result.failed:
            continue
        student = existing.get(parsed.student_number)
        _check_against_register(parsed, result, student, closed, today)
        if not result.failed:
            result.status = RowStatus.CREATED if student is None else _change_of(parsed, student)
            ready.append((parsed, result, student))
    return ready


def _months_of(period: register.EligibilityInput, today: date) -> list[date]:
    last = min(period.valid_to or today, today)
    return closing.months_between(period.valid_from, last) if period.valid_from <= last else []


def _closed_months(parsed: list[ParsedRow], today: date) -> dict[tuple[int, date], Claim]:
    """(programme id, month) -> the claim that closed it, for the months the rows' eligibility
    periods reach (held until the import's transaction ends). An import corrects no closed
    month: a row reaching into one is refused, and the correction is made on its own."""
    months = {m for row in parsed if row.eligibility for m in _months_of(row.eligibility, today)}
    return {(claim.programme_id, claim.month): claim for claim in closing.closed(months=months)}


def _check_against_register(
    parsed: ParsedRow,
    result: RowResult,
    student: Student | None,
    closed: dict[tuple[int, date], Claim],
    today: date,
) -> None:
    if parsed.national_id_masked and (
        student is None or student.national_id_masked != parsed.national_id_masked
    ):
        result.problem(
            "national_id",
            "national_id_masked",
            _("The ID number is masked (an export?); write the full number or leave it empty."),
        )
    # An empty cell keeps the date on record.
    enrolled_on = parsed.enrolled_on or (student.enrolled_on if student else None)
    if student is not None and student.left_on and enrolled_on and student.left_on < enrolled_on:
        result.problem(
            "enrolled_on",
            "enrolled_after_leaving",
            _("The student left before that enrolment date."),
        )
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
        result.problem("programme", *problem)
    clash = next(
        (
            p
            for p in periods
            if p.programme_id == wanted.programme.pk
            and _overlaps(p, wanted.valid_from, wanted.valid_to)
        ),
        None,
    )
    if clash is not None:
        result.problem("valid_from", "eligibility_overlap", _overlap_message(clash))
    closing_claim = next(
        (
            closed[(wanted.programme.pk, month)]
            for month in _months_of(wanted, today)
            if (wanted.programme.pk, month) in closed
        ),
        None,
    )
    if closing_claim is not None:
        result.problem(
            "valid_from",
            "month_closed",
            _(
                "The period reaches into {month}, closed by claim #{claim}: record it on its own, "
                "as a correction."
            ).format(month=f"{closing_claim.month:%Y-%m}", claim=closing_claim.pk),
        )


def _same_period(period: SubsidyEligibility, wanted: register.EligibilityInput) -> bool:
    return (
        period.programme_id == wanted.programme.pk
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


def _write_rows(ready: list[Ready], actor: Actor) -> None:
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
    SubsidyEligibility.objects.bulk_create(
        [
            SubsidyEligibility(
                student=student,
                programme=wanted.programme,
                reason=wanted.reason,
                valid_from=wanted.valid_from,
                valid_to=wanted.valid_to,
                created_by=person(actor),
            )
            for student, wanted in periods
        ],
        batch_size=BATCH,
    )
