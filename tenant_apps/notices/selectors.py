"""Reads about the notice outbox."""

from datetime import datetime

from django.db.models import QuerySet

from tenant_apps.notices.models import Notice


def notice_list() -> QuerySet[Notice]:
    return Notice.objects.all()


def notices_stuck(*, before: datetime) -> QuerySet[Notice]:
    """Pending notices written before `before`: their delivery message was lost or failed."""
    return Notice.objects.filter(status=Notice.Status.PENDING, created_at__lt=before)
