"""Monthly scorecards of the repair teams and outsourced providers (考核): 80% the managing
department's score and 20% the requesters' ratings (a mean rating of 5 is 100), graded; for a
provider that is one of the district's suppliers, the scorecard is the school's rating of the
supplier for the month (procurement's monthly ratings, and their rule)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.months import next_month
from shared_apps.accounts.actors import person
from shared_apps.procurement.services.ratings import rating_record_from_scorecard
from tenant_apps.repairs.models import RepairRequest, Scorecard, Team
from tenant_apps.repairs.selectors import DONE
from tenants.selectors import current_school

DEPARTMENT_SHARE = Decimal("0.8")
USERS_SHARE = Decimal("0.2")
GRADES = (
    (Decimal(90), Scorecard.Grade.EXCELLENT),
    (Decimal(80), Scorecard.Grade.GOOD),
    (Decimal(70), Scorecard.Grade.PASS),
)
CENT = Decimal("0.01")


def _grade_of(total: Decimal) -> str:
    return next((grade for floor, grade in GRADES if total >= floor), Scorecard.Grade.FAIL)


@service
def scorecard_record(
    *, team: Team, month: date, department_score: Decimal, actor: Actor, note: str = ""
) -> Scorecard:
    """Score a team for a month that has ended, once: the department's score (0–100) with the
    month's requests it completed, those finished on time and their ratings. Without ratings the
    department's score stands for the users' part."""
    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        message = _("A month is scored once it has ended.")
        raise InvalidInput(message, fields={"month": [message]})
    if not Decimal(0) <= department_score <= Decimal(100):
        message = _("A score from 0 to 100.")
        raise InvalidInput(message, fields={"department_score": [message]})
    done = RepairRequest.objects.filter(
        team=team,
        status__in=DONE,
        completed_at__date__gte=month,
        completed_at__date__lt=next_month(month),
    ).aggregate(
        completed=Count("id"),
        on_time=Count("id", filter=Q(completed_at__lte=F("finish_due"))),
        ratings=Count("rating"),
        mean=Avg("rating"),
    )
    mean = None if done["mean"] is None else Decimal(done["mean"]).quantize(CENT)
    users = department_score if mean is None else (mean * 20).quantize(CENT)
    total = (department_score * DEPARTMENT_SHARE + users * USERS_SHARE).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    try:
        with transaction.atomic():
            scorecard = Scorecard.objects.create(
                team=team,
                month=month,
                completed=done["completed"],
                on_time=done["on_time"],
                ratings=done["ratings"],
                mean_rating=mean,
                department_score=department_score,
                users_score=users,
                total=total,
                grade=_grade_of(total),
                note=(note or "").strip(),
                created_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("The team is scored for %(month)s already.") % {"month": f"{month:%Y-%m}"},
            code="already_scored",
        ) from None
    if team.supplier is not None:
        punctuality = (
            100 * done["on_time"] // done["completed"]
            if done["completed"]
            else int(department_score)
        )
        rating = rating_record_from_scorecard(
            school=current_school(),
            supplier=team.supplier,
            month=month,
            quality=int(department_score.to_integral_value(ROUND_HALF_UP)),
            punctuality=punctuality,
            service=int(users.to_integral_value(ROUND_HALF_UP)),
            comment=_("Repair scorecard: %(total)s (%(grade)s)")
            % {"total": total, "grade": scorecard.get_grade_display()},
            actor=actor,
        )
        scorecard.supplier_rating_id = rating.pk
        scorecard.save(update_fields=["supplier_rating_id"])
    return scorecard
