"""Schools (the tenants) and the host names that reach them."""

import re
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from houqin.tenancy import SchoolOwnedQuerySet

# Lower-case letters and digits only: the code becomes both a DNS label and part of a schema name.
CODE_PATTERN = re.compile(r"^[a-z0-9]{2,32}$")
RESERVED_CODES = frozenset({"www", "api", "admin", "static", "media", "public", "district", "mail"})
SCHEMA_PREFIX = "s_"


def validate_school_code(code: str) -> None:
    if not CODE_PATTERN.match(code or ""):
        raise ValidationError(
            _("A school code is 2 to 32 lower-case letters or digits."), code="invalid_code"
        )
    if code in RESERVED_CODES:
        raise ValidationError(_("This school code is reserved."), code="reserved_code")


def schema_name_for(code: str) -> str:
    return f"{SCHEMA_PREFIX}{code}"


# Compulsory education: grades 1 to 9.
COMPULSORY_GRADES = 9


class School(TenantMixin):
    """A school: one tenant, one PostgreSQL schema."""

    # django-tenants is untyped: the manager Django gives the model, named for the type checker.
    objects: ClassVar["models.Manager[School]"]

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior secondary school")
        SENIOR = "senior", _("Senior secondary school")
        NINE_YEAR = "nine_year", _("Nine-year school")
        COMPLETE = "complete", _("Complete secondary school")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ARCHIVED = "archived", _("Archived")

    code = models.CharField(
        _("school code"), max_length=32, unique=True, validators=[validate_school_code]
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    boarding = models.BooleanField(_("boarding"), default=False)
    # A rural school: at its compulsory-education grades no boarding fee may be charged.
    rural = models.BooleanField(_("rural"), default=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    check_problems = models.JSONField(_("problems found at the last check"), default=list)
    # Fingerprint of the migrations applied in the school's schema (see tenants.provisioning).
    migration_fingerprint = models.CharField(
        _("migrations fingerprint"), max_length=64, blank=True, db_index=True
    )

    # Schemas are created and dropped by the school services, inside their own transaction.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=CODE_PATTERN.pattern), name="school_code_format"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    schema_name=Concat(models.Value(SCHEMA_PREFIX), models.F("code"))
                ),
                name="school_schema_matches_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def may_charge_boarding_fee(self, grade: int) -> bool:
        """Whether a pupil of `grade` may be charged a boarding fee (住宿费) here: not at a rural
        school in compulsory education (grades 1 to 9), where only exercise-book fees and
        voluntary meal fees may be charged."""
        return not (self.rural and grade <= COMPULSORY_GRADES)


class SchemaTemplate(models.Model):
    """The script that recreates a school schema, read from the template schema, and the
    fingerprint of the migrations it was built from."""

    fingerprint = models.CharField(_("migrations fingerprint"), max_length=64)
    script = models.TextField(_("script"))
    built_at = models.DateTimeField(_("built at"), auto_now=True)

    # Bulky and rebuilt on every release; the trail keeps the fingerprint.
    audit_redacted_fields: ClassVar[tuple[str, ...]] = ("script",)

    class Meta:
        verbose_name = _("school schema template")
        verbose_name_plural = _("school schema templates")

    def __str__(self) -> str:
        return f"template {self.fingerprint[:12]}"


class PoolSchema(models.Model):
    """A ready, empty school schema waiting in the warm pool to be renamed for a new school."""

    schema_name = models.CharField(_("schema"), max_length=63, unique=True)
    fingerprint = models.CharField(_("migrations fingerprint"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ready school schema")
        verbose_name_plural = _("ready school schemas")

    def __str__(self) -> str:
        return self.schema_name


class SchoolMigration(models.Model):
    """One school's migration to one target (a release), so that an interrupted run resumes."""

    class Status(models.TextChoices):
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="migrations",
        verbose_name=_("school"),
        db_index=False,
    )
    target = models.CharField(_("release"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    applied = models.JSONField(_("migrations applied"), default=list)
    error = models.TextField(_("error"), blank=True)
    seconds = models.FloatField(_("seconds taken"), default=0)
    finished_at = models.DateTimeField(_("finished at"), auto_now=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["SchoolMigration"].as_manager()

    class Meta:
        verbose_name = _("school migration")
        verbose_name_plural = _("school migrations")
        constraints = [
            models.UniqueConstraint(fields=["school", "target"], name="school_migration_once")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.target[:12]} {self.status}"


class SchoolImport(models.Model):
    """One list of schools the district administrator uploaded: its rows as written, queued for
    a task that creates the schools (its progress is the Celery task's state), then the per-row
    report of what became of each."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    file_name = models.CharField(_("file"), max_length=200)
    # The rows as the file wrote them (tenants.onboarding.SchoolRow), until the report is in.
    rows = models.JSONField(_("rows"), default=list)
    total = models.PositiveIntegerField(_("rows in the file"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    task_id = models.CharField(_("task"), max_length=64, unique=True)
    report = models.JSONField(_("report"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("school list import")
        verbose_name_plural = _("school list imports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.status == self.Status.DONE


class Domain(DomainMixin):
    """A host name that reaches one school. The district centre's host is a setting, not a row."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain
