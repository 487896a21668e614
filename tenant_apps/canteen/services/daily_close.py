"""Closing a day: the day's alerts recorded on its close."""

from collections import Counter
from datetime import date

from django.utils import timezone

from houqin.door import Actor, service
from tenant_apps.canteen.models import DailyClose, MealSession, Serving
from tenant_apps.canteen.selectors import alert_list

ALERT_KINDS = ("no_sample", "cold_out_of_range", "cost_below_subsidy")


@service
def daily_close_record(*, day: date, actor: Actor) -> DailyClose:
    """Record the alerts of `day` (meals without a sample, cold readings out of range, meals
    costing less than the subsidy pays) on the day's close; closing a day again updates it."""
    alerts = alert_list(start=day, end=day)
    counts = Counter(alert["kind"] for alert in alerts)
    values = {
        "counts": {
            **{kind: counts.get(kind, 0) for kind in ALERT_KINDS},
            "alerts": len(alerts),
            "sessions": MealSession.objects.filter(date=day).count(),
            "servings": Serving.objects.filter(session__date=day).count(),
        },
        "alerts": alerts,
        "closed_at": timezone.now(),
    }
    close, _created = DailyClose.objects.update_or_create(date=day, defaults=values)
    return close
