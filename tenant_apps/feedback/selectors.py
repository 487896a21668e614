"""Reads about feedback."""

from django.db.models import QuerySet

from tenant_apps.feedback.models import Feedback


def feedback_list() -> QuerySet[Feedback]:
    return Feedback.objects.select_related("author", "responded_by")
