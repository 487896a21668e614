"""A school's property (校产): its buildings and rooms (where faults are reported and assets
stand), the asset register (fixed assets by the national classification, low-value items apart),
custody and location moves, monthly depreciation runs, stock-takes (盘点) with their scans and
discrepancies, disposals (处置) approved in tiers, and the finance ledger's fixed-asset balances
the register is reconciled with (三账一卡).

An asset is never deleted: a disposal leaves it in the register, disposed, with its disposal.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.db import one_of
from houqin.money import money
from tenant_apps.assets import classification


class Building(models.Model):
    """A building of the school (教学楼, 宿舍楼, 食堂 …)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A room or space in a building, with the kind of space that decides whether repairs in it
    are charged (private spaces) or free (teaching and public spaces)."""

    class Kind(models.TextChoices):
        TEACHING = "teaching", _("teaching")
        OFFICE = "office", _("office")
        PUBLIC = "public", _("public space")
        DORMITORY = "dormitory", _("dormitory")
        PRIVATE = "private", _("private (staff housing, leased)")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="rooms", db_index=False
    )
    code = models.CharField(_("room number"), max_length=20)
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind of space"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["building__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="assets_room_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.building.name} {self.code}"

    @property
    def charged(self) -> bool:
        """Whether repairs here are charged to whoever lives in or leases the space."""
        return self.kind == self.Kind.PRIVATE


class Asset(models.Model):
    """One item of the register: a fixed asset, or a low-value item kept apart; with its custodian
    (责任到人), location, acquisition and funding, and its repairs' count and cost."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("fixed asset")
        LOW_VALUE = "low_value", _("low-value item")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("in use")
        ON_LOAN = "on_loan", _("on loan")
        IDLE = "idle", _("idle")
        DISPOSED = "disposed", _("disposed")

    class Funding(models.TextChoices):
        FISCAL = "fiscal", _("fiscal appropriation")
        SELF_RAISED = "self_raised", _("the school's own funds")
        DONATION = "donation", _("donation")
        OTHER = "other", _("other")

    number = models.CharField(_("asset number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=9, choices=classification.CHOICES)
    kind = models.CharField(_("kind"), max_length=9, choices=Kind.choices)
    specification = models.CharField(_("model and specification"), max_length=200, blank=True)
    cost = money(_("original cost"))
    acquired_on = models.DateField(_("acquired on"))
    funding = models.CharField(_("funding source"), max_length=11, choices=Funding.choices)
    # When it came through the school's procurement: the order and the invoice that bought it.
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        "orders.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_life_months = models.PositiveSmallIntegerField(_("service life (months)"))
    # The first day of the last month depreciated (fixed assets): set at registration.
    depreciation_ends = models.DateField(_("depreciated until"), null=True, blank=True)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.IN_USE
    )
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    repair_count = models.PositiveIntegerField(_("repairs"), default=0)
    repair_cost = money(_("cost of repairs"), default=0)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["number"]
        permissions = [
            ("move_asset", _("Can change an asset's custodian or location, lend and take back")),
            ("label_asset", _("Can print assets' QR labels")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="assets_asset_cost_positive"),
            models.CheckConstraint(
                condition=Q(repair_cost__gte=0), name="assets_asset_repair_cost"
            ),
            # A fixed asset reaches its class's threshold and lasts more than a year.
            models.CheckConstraint(
                condition=Q(kind="low_value")
                | (
                    Q(service_life_months__gt=12, depreciation_ends__isnull=False)
                    & (
                        Q(cost__gte=classification.SPECIAL_THRESHOLD)
                        | (
                            Q(cost__gte=classification.FIXED_THRESHOLD)
                            & ~one_of("category", classification.SPECIAL_CODES)
                        )
                    )
                ),
                name="assets_asset_fixed_threshold",
            ),
            models.CheckConstraint(
                condition=Q(status="disposed", disposed_on__isnull=False)
                | (~Q(status="disposed") & Q(disposed_on__isnull=True)),
                name="assets_asset_disposed_with_date",
            ),
        ]
        indexes = [models.Index(fields=["category", "kind"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class AssetMove(models.Model):
    """A change of an asset's custodian or location: a transfer, a loan, a return, or a move
    found by a stock-take."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("transfer")
        LOAN = "loan", _("loan")
        RETURN = "return", _("return from loan")
        STOCK_TAKE = "stock_take", _("found elsewhere by a stock-take")

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    from_custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_back = models.DateField(_("due back"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset move")
        verbose_name_plural = _("asset moves")
        ordering = ["-moved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="loan") | Q(due_back__isnull=False),
                name="assets_move_loan_due_back",
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.kind}"


class DepreciationRun(models.Model):
    """One month's straight-line depreciation of the school's fixed assets, run once: the total
    and the amounts by category."""

    month = models.DateField(_("month (its first day)"), unique=True)
    amount = money(_("depreciation"))
    assets = models.PositiveIntegerField(_("assets depreciated"))
    by_category = models.JSONField(_("by category"), default=dict)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    run_at = models.DateTimeField(_("run at"), auto_now_add=True)

    class Meta:
        verbose_name = _("depreciation run")
        verbose_name_plural = _("depreciation runs")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="assets_depreciation_month_first_day"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="assets_depreciation_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


class StockTake(models.Model):
    """A count (盘点) of the assets in some rooms, or in all of them (the annual full count the
    district requires), scanned on phones and reconciled with the register when closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("counting")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=200)
    full = models.BooleanField(_("full count (every room)"), default=False)
    rooms = models.ManyToManyField(Room, blank=True, related_name="+", verbose_name=_("rooms"))
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    found = models.PositiveIntegerField(_("found in place"), default=0)

    class Meta:
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")
        ordering = ["-started_at", "-id"]
        permissions = [
            ("scan_stocktake", _("Can scan labels in a stock-take")),
            ("close_stocktake", _("Can close a stock-take and reconcile it")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="assets_stocktake_closed_with_time",
            ),
            # One count at a time per school, so that scans are never split between two.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="open"), name="assets_stocktake_one_open"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StockTakeScan(models.Model):
    """A label scanned in a room during a stock-take: an asset of the register, or a label of this
    school the register does not know (surplus)."""

    stock_take = models.ForeignKey(
        StockTake, on_delete=models.CASCADE, related_name="scans", db_index=False
    )
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("label"), max_length=80)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    scanned_at = models.DateTimeField(_("scanned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock-take scan")
        verbose_name_plural = _("stock-take scans")
        ordering = ["stock_take_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stock_take", "code"], name="assets_scan_once")
        ]

    def __str__(self) -> str:
        return self.code


class Discrepancy(models.Model):
    """What a closed stock-take found out of line with the register, assigned to a person and
    resolved."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("missing")
        SURPLUS = "surplus", _("surplus (not in the register)")
        MOVED = "moved", _("found in another room")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    stock_take = models.ForeignKey(
        StockTake, on_delete=models.PROTECT, related_name="discrepancies"
    )
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices)
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("label"), max_length=80, blank=True)
    found_in = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    owner_field: ClassVar[str] = "assignee"

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["stock_take_id", "id"]
        permissions = [
            ("assign_discrepancy", _("Can assign a discrepancy to a person")),
            ("resolve_discrepancy", _("Can resolve a discrepancy")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (Q(status="resolved", resolved_at__isnull=False) & ~Q(resolution="")),
                name="assets_discrepancy_resolved_with_resolution",
            ),
            models.CheckConstraint(
                condition=Q(kind="surplus") | Q(asset__isnull=False),
                name="assets_discrepancy_names_its_asset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.asset_id or self.code}"


class Disposal(models.Model):
    """Retiring an asset (报废, 调拨, 出售 …): asked for with reason and evidence, approved by the
    principal and, above the district's threshold of book value, confirmed by the district's
    finance officer. The asset stays in the register, disposed."""

    class Method(models.TextChoices):
        SCRAP = "scrap", _("scrapped")
        TRANSFER = "transfer", _("transferred to another unit")
        SALE = "sale", _("sold")
        DONATION = "donation", _("donated")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("awaiting the principal")
        APPROVED = "approved", _("awaiting the district")
        DISPOSED = "disposed", _("disposed")
        REJECTED = "rejected", _("rejected")

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="disposals")
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence (appraisal, photos, documents)"))
    book_value = money(_("book value when asked"))
    needs_district = models.BooleanField(_("needs the district's confirmation"))
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("disposal")
        verbose_name_plural = _("disposals")
        ordering = ["-requested_at", "-id"]
        permissions = [
            ("approve_disposal", _("Can approve a disposal for the school (principal)")),
            ("confirm_disposal", _("Can confirm a disposal above the threshold (district)")),
            ("reject_disposal", _("Can reject a disposal")),
        ]
        constraints = [
            # An asset has at most one disposal under way or done.
            models.UniqueConstraint(
                fields=["asset"],
                condition=~Q(status="rejected"),
                name="assets_disposal_one_per_asset",
            ),
            models.CheckConstraint(
                condition=Q(book_value__gte=0), name="assets_disposal_book_value"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="assets_disposal_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="disposed")
                | (
                    Q(approved_at__isnull=False)
                    & (Q(needs_district=False) | Q(confirmed_at__isnull=False))
                ),
                name="assets_disposal_approved_in_its_tiers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.status}"


class LedgerBalance(models.Model):
    """The finance ledger's fixed-asset balance for one category on a date, as the accountant
    reads it from the books: one of the three ledgers the register is reconciled with."""

    category = models.CharField(_("category"), max_length=9, choices=classification.CHOICES)
    as_of = models.DateField(_("as of"))
    amount = money(_("ledger balance"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger balance")
        verbose_name_plural = _("ledger balances")
        ordering = ["-as_of", "category"]
        constraints = [
            models.UniqueConstraint(fields=["category", "as_of"], name="assets_ledger_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="assets_ledger_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.as_of} {self.amount}"
