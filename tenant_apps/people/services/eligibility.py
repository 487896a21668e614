"""Writes about students' subsidy eligibility (补助资格): periods per programme, never
overlapping, within the student's time at school."""

from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from shared_apps.subsidies import closing
from shared_apps.subsidies.models import MonthCorrection, Programme
from tenant_apps.people.models import (
    COMPULSORY_GRADES,
    OVERLAP_CONSTRAINT,
    Student,
    SubsidyEligibility,
)


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
    programme: Programme,
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
    if programme.students == Programme.Students.COMPULSORY and grade not in COMPULSORY_GRADES:
        return "ineligible_grade", _(
            "The programme {name} is for compulsory education (grades 1 to 9)."
        ).format(name=programme.name)
    if programme.students == Programme.Students.BOARDERS and not boarding:
        return "ineligible_not_boarding", _(
            "The programme {name} is for boarding students; this student is not boarding."
        ).format(name=programme.name)
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
    programme: Programme,
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
        if OVERLAP_CONSTRAINT in str(exc):
            raise Conflict(
                _("The student is already eligible for this programme during that period."),
                code="eligibility_overlap",
            ) from exc
        raise
    return eligibility


@service
def subsidy_eligibility_create(
    *,
    student: Student,
    programme: Programme,
    reason: str,
    valid_from: date,
    valid_to: date | None = None,
    note: str = "",
    actor: Actor,
    correction_reason: str = "",
) -> SubsidyEligibility:
    """Make `student` eligible for `programme` from `valid_from` to `valid_to` (inclusive; None:
    until ended). Refused when the student cannot hold it (grade, boarding, enrolment, leaving)
    or when it would overlap another period of the same programme. The student's row is locked,
    so two such writes for one student run one after the other; the database's exclusion
    constraint refuses an overlap whatever the path. In a closed month, a correction
    (`shared_apps.subsidies.closing`)."""
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
        created_by=person(actor),
    )
    with _closed_months_kept(
        valid_from, valid_to, programme=programme, reason=correction_reason, actor=actor
    ) as change:
        _saved_or_conflict(eligibility)
        change.detail = _("%(student)s eligible for %(programme)s from %(start)s to %(end)s") % {
            "student": locked.student_number,
            "programme": programme.name,
            "start": valid_from,
            "end": valid_to or _("no end date"),
        }
    return eligibility


_UNSET: Any = object()


@service
def subsidy_eligibility_update(
    *,
    eligibility: SubsidyEligibility,
    actor: Actor,
    valid_to: date | None = _UNSET,
    reason: str | None = None,
    note: str | None = None,
    correction_reason: str = "",
) -> SubsidyEligibility:
    """End (or re-end) a period, or correct its reason or note. The start and the programme
    stay: a different period is a new one. A new end in a closed month is a correction
    (`shared_apps.subsidies.closing`)."""
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
    if valid_to is _UNSET or valid_to == eligibility.valid_to:
        return _saved_or_conflict(locked)
    ends = sorted([eligibility.valid_to or date.max, valid_to or date.max])
    with _closed_months_kept(
        ends[0] + timedelta(days=1),
        ends[1],
        programme=locked.programme,
        reason=correction_reason,
        actor=actor,
    ) as change:
        _saved_or_conflict(locked)
        change.detail = _("%(student)s eligible for %(programme)s until %(end)s") % {
            "student": locked_student.student_number,
            "programme": locked.programme.name,
            "end": valid_to or _("no end date"),
        }
    return locked


def _closed_months_kept(
    first: date, last: date | None, *, programme: Programme, reason: str, actor: Actor
) -> AbstractContextManager[closing.Change]:
    """A change to eligibility under `programme` on the days [first, last] (an open end: until
    today), through the closed-months guard."""
    last = min(last or date.max, timezone.localdate())
    months = closing.months_between(first, last) if first <= last else []
    return closing.month_change(
        days=months,
        change=MonthCorrection.Change.ELIGIBILITY,
        reason=reason,
        actor=actor,
        programme=programme.code,
    )
