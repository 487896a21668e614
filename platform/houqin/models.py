"""Records the platform keeps for every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from houqin.tenancy import SchoolOwnedQuerySet


class IdempotencyRecord(models.Model):
    """The response given to one request made with an Idempotency-Key, replayed to its retries."""

    schema_name = models.CharField(_("schema"), max_length=63)
    user_id = models.BigIntegerField(_("user"))
    key = models.CharField(_("key"), max_length=100)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    request_hash = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True)
    # The rendered JSON, kept as text: jsonb would reorder its keys.
    body = models.TextField(_("response"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    school_field = "schema_name"
    objects = SchoolOwnedQuerySet["IdempotencyRecord"].as_manager()

    class Meta:
        verbose_name = _("repeated submission guard")
        verbose_name_plural = _("repeated submission guards")
        constraints = [
            models.UniqueConstraint(
                fields=["schema_name", "user_id", "key"], name="idempotency_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
