"""Feedback and complaints from a school's staff and students, answered within a deadline."""

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RESPONSE_DAYS = 5


def default_due_at() -> datetime:
    return timezone.now() + timedelta(days=RESPONSE_DAYS)


class Feedback(models.Model):
    """A suggestion, complaint or praise from a member of the school, and the school's answer."""

    class Category(models.TextChoices):
        SUGGESTION = "suggestion", _("suggestion")
        COMPLAINT = "complaint", _("complaint")
        PRAISE = "praise", _("praise")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    due_at = models.DateTimeField(_("response due by"), default=default_due_at)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    owner_field: ClassVar[str] = "author"
    object_grants: ClassVar[bool] = True

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-id"]
        permissions = [
            ("respond_feedback", _("Can respond to feedback")),
            ("assign_feedback", _("Can assign feedback to a responder")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", responded_at__isnull=True)
                | models.Q(status="answered", responded_at__isnull=False),
                name="feedback_answered_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.subject
