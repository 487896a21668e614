"""Unified procurement (统一采购), the district centre's side: suppliers and their qualifications,
the catalogue of what schools buy with market reference prices, framework contracts and their
price lists, schools' monthly supplier ratings, and the spend facts the district views read.

Public tables. A row that concerns one school names it by foreign key to the tenant and carries
the id of the school's own row (never a foreign key into a school's schema).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from houqin.money import money


class Category(models.TextChoices):
    FOOD = "food", _("food")
    KITCHEN = "kitchen", _("kitchen supplies")
    CLEANING = "cleaning", _("cleaning supplies")
    FURNITURE = "furniture", _("furniture")
    TEACHING = "teaching", _("teaching supplies")
    EQUIPMENT = "equipment", _("equipment")
    FUEL = "fuel", _("fuel")
    OTHER = "other", _("other")


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
    """A licence a supplier holds (business licence, food business licence, ...), with expiry."""

    class Kind(models.TextChoices):
        BUSINESS = "business", _("business licence (营业执照)")
        FOOD_BUSINESS = "food_business", _("food business licence (食品经营许可证)")
        FOOD_PRODUCTION = "food_production", _("food production licence (食品生产许可证)")
        ANIMAL_QUARANTINE = (
            "animal_quarantine",
            _("animal quarantine certificate (动物检疫合格证明)"),
        )
        OTHER = "other", _("other")

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=64)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    owner_field = "supplier__users__user"

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["expires_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "kind", "number"], name="procurement_qualification_unique"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("valid_from")),
                name="procurement_qualification_dates_order",
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

    owner_field = "supplier__users__user"

    class Meta:
        verbose_name = _("supplier event")
        verbose_name_plural = _("supplier events")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.kind}"


class CatalogueItem(models.Model):
    """Something schools buy, with its unit and the market reference price the district tracks
    (savings and over-price signals are measured against it)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=16)
    specification = models.CharField(_("specification"), max_length=300, blank=True)
    reference_price = money(_("market reference price per unit"))
    reference_date = models.DateField(_("reference price as of"))
    # A food's composition, for items the canteen inspects on arrival.
    food = models.ForeignKey(
        "standards.Food", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference_price__gt=0), name="procurement_item_reference_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FrameworkContract(models.Model):
    """An award's price list with a validity: the only prices a school can order at."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        TERMINATED = "terminated", _("terminated")

    number = models.CharField(_("number"), max_length=64, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    owner_field = "supplier__users__user"

    class Meta:
        verbose_name = _("framework contract")
        verbose_name_plural = _("framework contracts")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="procurement_contract_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ContractPrice(models.Model):
    """One line of a contract's price list."""

    contract = models.ForeignKey(FrameworkContract, on_delete=models.CASCADE, related_name="prices")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    unit_price = money(_("unit price"))

    owner_field = "contract__supplier__users__user"

    class Meta:
        verbose_name = _("contract price")
        verbose_name_plural = _("contract prices")
        ordering = ["contract_id", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "item"], name="procurement_contract_price_unique"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gt=0), name="procurement_contract_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.item_id} {self.unit_price}"


class SupplierRating(models.Model):
    """A school's monthly rating of a supplier it bought from (0–100)."""

    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, related_name="supplier_ratings"
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


class SpendLine(models.Model):
    """One line of a school's order as the district reads it: what was bought, from whom, at what
    price against the contract and the market reference, and how it was delivered and invoiced.
    Written in the same transaction as the school's own rows; `order_line_id` is the id of the
    school's row."""

    school = models.ForeignKey("tenants.School", on_delete=models.PROTECT, related_name="+")
    order_line_id = models.BigIntegerField(_("the school's order line"))
    order_number = models.CharField(_("order number"), max_length=64)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    ordered_on = models.DateField(_("ordered on"))
    due_on = models.DateField(_("due on"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = money(_("unit price"))
    amount = money(_("amount"))
    reference_price = money(_("market reference price"), null=True, blank=True)
    # Ordered outside any framework contract: the school gave a reason; auditors see it.
    outside_contract_reason = models.TextField(
        _("reason for ordering outside a contract"), blank=True
    )
    delivered_quantity = models.DecimalField(
        _("delivered and accepted"), max_digits=14, decimal_places=3, default=0
    )
    delivered_on_time = models.BooleanField(_("delivered in full by the due date"), null=True)
    last_delivery_on = models.DateField(_("last delivery on"), null=True, blank=True)
    invoiced_amount = money(_("invoiced and matched"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("spend line")
        verbose_name_plural = _("spend lines")
        ordering = ["-ordered_on", "school_id", "order_line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "order_line_id"], name="procurement_spend_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(unit_price__gt=0)
                & Q(delivered_quantity__gte=0)
                & Q(delivered_quantity__lte=F("quantity")),
                name="procurement_spend_line_quantities",
            ),
            models.CheckConstraint(
                condition=Q(contract__isnull=False) | ~Q(outside_contract_reason=""),
                name="procurement_spend_line_outside_contract_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["ordered_on", "school"]),
            models.Index(fields=["supplier", "ordered_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.order_line_id} {self.amount}"
