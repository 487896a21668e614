"""The school's notice outbox: each notice to a guardian or a member of staff (SMS, e-mail) is a
row written in the transaction that decides it, delivered afterwards by a task, and kept."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from houqin.db import one_of


class Notice(models.Model):
    """One message to one recipient on one channel, pending until its channel took it."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")
        CONSOLE = "console", _("console")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    # What the notice is about, e.g. "dorms.rollcall:2026-10-08:42": the same key is one notice.
    key = models.CharField(_("key"), max_length=120, unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(status="pending"), name="notices_pending"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=one_of("channel", ("sms", "email", "console")), name="notices_channel"
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", sent_at__isnull=True)
                | models.Q(status="sent", sent_at__isnull=False),
                name="notices_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient} {self.subject}"
