"""The district centre's periodic procurement jobs (public schema): notices of qualifications
about to expire, and the monthly pass of the suppliers' rating rule. Both are idempotent."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from houqin.months import previous_month
from shared_apps.procurement.services import ratings, suppliers


@shared_task(name="shared_apps.procurement.tasks.qualification_expiry_task")
def qualification_expiry_task(day: str | None = None) -> int:
    """Raise a QUALIFICATION_EXPIRING event for each qualification expiring within the notice
    period from `day` (ISO date; today by default), once per qualification and period."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    return suppliers.qualification_expiry_notices(today=today, actor=suppliers.EXPIRY_NOTICES)


@shared_task(name="shared_apps.procurement.tasks.supplier_rating_rule_task")
def supplier_rating_rule_task(month: str | None = None) -> list[int]:
    """Apply the two-low-months rule to the ratings of `month` (YYYY-MM-DD, any day of it; last
    month by default) and the month before. Returns the suppliers suspended."""
    rated = date.fromisoformat(month) if month else previous_month()
    return ratings.ratings_rule_for_month(month=rated, actor=ratings.RATING_RULE)
