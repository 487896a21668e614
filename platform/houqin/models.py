"""Records the platform keeps for every app."""

from django.db import models

from houqin.tenancy import SchoolOwnedQuerySet


class IdempotencyRecord(models.Model):
    """The response given to one request made with an Idempotency-Key, replayed to its retries."""

    schema_name = models.CharField(max_length=63)
    user_id = models.BigIntegerField()
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    # The rendered JSON, kept as text: jsonb would reorder its keys.
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    school_field = "schema_name"
    objects = SchoolOwnedQuerySet["IdempotencyRecord"].as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schema_name", "user_id", "key"], name="idempotency_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
