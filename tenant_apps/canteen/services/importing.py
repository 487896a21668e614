"""Importing a meal's servings from a card terminal's export (`canteen.terminal`): every row
checked against the register, then the new servings recorded all together, or none, with a
report per row."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict
from houqin.imports import ImportReport, RowResult, RowStatus, save_all_or_nothing
from tenant_apps.canteen.models import MealSession, Serving
from tenant_apps.canteen.services.servings import servings_record
from tenant_apps.canteen.terminal import Swipe
from tenant_apps.people import selectors as people

# What a terminal's rows become: a serving recorded, or one already there (recorded before, or
# swiped twice in the file), or a row in error.
STATUSES = (RowStatus.CREATED, RowStatus.EXISTS)


def _check(
    swipe: Swipe,
    result: RowResult,
    session: MealSession,
    found: dict[str, tuple[int, str]],
    present: set[int],
) -> None:
    if not swipe.student_number:
        result.problem(
            "student_number", "required_student_number", _("The student number is missing.")
        )
        return
    if swipe.student_number not in found:
        result.problem(
            "student_number",
            "unknown_student",
            _("No student of this school has the number {number}.").format(
                number=swipe.student_number
            ),
        )
        return
    student_id, name = found[swipe.student_number]
    if swipe.name and swipe.name != name:
        result.problem(
            "name",
            "name_differs",
            _("The register names student {number} {name}, not {given}.").format(
                number=swipe.student_number, name=name, given=swipe.name
            ),
        )
    if student_id not in present:
        result.problem(
            "student_number",
            "student_not_enrolled",
            _("{name} was not at this school on {date}.").format(name=name, date=session.date),
        )
    if swipe.time_unreadable():
        result.problem(
            "time", "unreadable_time", _("The time {time} cannot be read.").format(time=swipe.time)
        )
    day = swipe.day()
    if day is not None and day != session.date:
        result.problem(
            "time",
            "another_day",
            _("This swipe is of {day}, not of this meal's day {date}.").format(
                day=day, date=session.date
            ),
        )


@service
def servings_import(*, session: MealSession, swipes: Sequence[Swipe], actor: Actor) -> ImportReport:
    """Record the students a terminal's export lists as eating this meal (source: card). Every
    row is checked first: the student number must be a student's at school that day, a name
    given must be the register's, a time given must be on the meal's day. When any row has a
    problem nothing is recorded, and the report says which rows and why (the caller refuses the
    import with them, `houqin.imports.refuse_faulty`). A student already recorded for the meal,
    or swiped again further down the file, is reported as such and recorded once."""
    report = ImportReport(key="student_number", statuses=STATUSES)
    numbers = {swipe.student_number for swipe in swipes if swipe.student_number}
    found = {
        number: (pk, name)
        for number, pk, name in people.student_list()
        .filter(student_number__in=numbers)
        .values_list("student_number", "pk", "name")
    }
    ids = [pk for pk, _name in found.values()]
    present = set(
        people.students_at_school_on(session.date).filter(pk__in=ids).values_list("pk", flat=True)
    )
    served = set(
        Serving.objects.filter(session=session, student_id__in=ids).values_list(
            "student_id", flat=True
        )
    )
    first_row: dict[str, int] = {}
    new: list[int] = []
    for swipe in swipes:
        result = RowResult(swipe.row, swipe.student_number)
        report.rows.append(result)
        _check(swipe, result, session, found, present)
        if result.failed:
            continue
        student_id = found[swipe.student_number][0]
        if swipe.student_number in first_row:
            result.status = RowStatus.EXISTS
            result.messages.append(
                _("Also swiped in row {row}: recorded once.").format(
                    row=first_row[swipe.student_number]
                )
            )
            result.reasons.append("repeated_in_file")
        elif student_id in served:
            result.status = RowStatus.EXISTS
            result.messages.append(_("Already recorded for this meal."))
            result.reasons.append("already_recorded")
        else:
            result.status = RowStatus.CREATED
            new.append(student_id)
        first_row.setdefault(swipe.student_number, swipe.row)
    if report.errors:
        return report
    conflict = Conflict(
        _("The servings could not be saved; nothing was imported. Try again."),
        code="import_failed",
    )

    def write() -> None:
        if new:
            servings_record(
                session=session, source=Serving.Source.CARD, student_ids=new, actor=actor
            )

    save_all_or_nothing(report, write, conflict=conflict)
    return report
