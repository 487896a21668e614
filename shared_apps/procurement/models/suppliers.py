"""Suppliers (供应商) and their people, their qualifications (licences) and the events of their
standing (suspensions, licence notices), and schools' monthly ratings of them.

Public tables. A rating names its school by foreign key to the tenant.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from houqin.tenancy import SchoolOwnedQuerySet


class Supplier(models.Model):
    """A company that sells to the district's schools. Its people sign in on the district host
    as supplier accounts (SupplierUser) and see only their own company's rows."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended from new tenders")

    name = models.CharField(_("name"), max_length=200)
    # 统一社会信用代码: 18 characters.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    address = models.CharField(_("address"), max_length=300)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    contact_email = models.EmailField(_("contact email"), blank=True)
    categories = models.JSONField(_("categories supplied"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    owner_field = "users__user"

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "id"]
        permissions = [
            ("suspend_supplier", _("Can suspend or reinstate a supplier")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(status_reason=""),
                name="procurement_supplier_suspension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupplierUser(models.Model):
    """A sign-in account of a supplier: sees and acts for that one company only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_account"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="users")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier account")
        verbose_name_plural = _("supplier accounts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.supplier_id}"


class Qualification(models.Model):
    """A licence a supplier holds (business licence, food business licence, ...), with expiry. It
    counts for tenders only once the procurement officer has verified it against the document;
    whoever adds it (the supplier, or the officer for them) cannot make it count by saying so."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting verification")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    class Kind(models.TextChoices):
        BUSINESS = "business", _("business licence (营业执照)")
        FOOD_BUSINESS = "food_business", _("food business licence (食品经营许可证)")
        FOOD_PRODUCTION = "food_production", _("food production licence (食品生产许可证)")
        ANIMAL_QUARANTINE = (
            "animal_quarantine",
            _("animal quarantine certificate (动物检疫合格证明)"),
        )
        OTHER = "other", _("other")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="qualifications", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=64)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"))
    # The licence's scan as kept (houqin.images: a clean JPEG), for the officer to verify against.
    scan = models.FileField(_("scan of the licence"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # The officer who checked it against the document, and when (whichever the outcome).
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified or rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    owner_field = "supplier__users__user"

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["expires_on", "id"]
        permissions = [
            ("verify_qualification", _("Can verify or reject a qualification against its document"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "kind", "number"], name="procurement_qualification_unique"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("valid_from")),
                name="procurement_qualification_dates_order",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", verified_by__isnull=True, verified_at__isnull=True)
                | (~Q(status="pending") & Q(verified_by__isnull=False, verified_at__isnull=False)),
                name="procurement_qualification_decided_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="procurement_qualification_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class SupplierEvent(models.Model):
    """A change of a supplier's standing that people read: suspended (by hand or by the rating
    rule), reinstated, a qualification about to expire."""

    class Kind(models.TextChoices):
        SUSPENDED = "suspended", _("suspended")
        REINSTATED = "reinstated", _("reinstated")
        QUALIFICATION_EXPIRING = "qualification_expiring", _("qualification expiring")

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    automatic = models.BooleanField(_("by rule"), default=False)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True)
    # A notice of expiry names the qualification, the expiry date it warns of and the notice
    # period it was raised under: one notice each (a renewed licence is noticed again).
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), null=True, blank=True)

    owner_field = "supplier__users__user"

    class Meta:
        verbose_name = _("supplier event")
        verbose_name_plural = _("supplier events")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "expires_on", "notice_days"],
                condition=Q(kind="qualification_expiring"),
                name="procurement_supplier_event_one_notice",
            ),
            models.CheckConstraint(
                condition=~Q(kind="qualification_expiring")
                | (
                    Q(qualification__isnull=False)
                    & Q(expires_on__isnull=False)
                    & Q(notice_days__isnull=False)
                ),
                name="procurement_supplier_event_notice_names_its_licence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.kind}"


class SupplierRating(models.Model):
    """A school's monthly rating of a supplier it bought from (0–100)."""

    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, related_name="supplier_ratings", db_index=False
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="ratings")
    month = models.DateField(_("month (its first day)"))
    quality = models.PositiveSmallIntegerField(_("quality"))
    punctuality = models.PositiveSmallIntegerField(_("punctuality"))
    service = models.PositiveSmallIntegerField(_("service"))
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["SupplierRating"].as_manager()

    class Meta:
        verbose_name = _("supplier rating")
        verbose_name_plural = _("supplier ratings")
        ordering = ["-month", "school_id", "supplier_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "supplier", "month"], name="procurement_rating_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="procurement_rating_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(quality__lte=100)
                & Q(punctuality__lte=100)
                & Q(service__lte=100)
                & Q(score__lte=100),
                name="procurement_rating_within_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.supplier_id} {self.month:%Y-%m} {self.score}"
