"""Tenders with sealed bids (招标): requisitions, evaluators, tenders and their lots and lines,
criteria, committees, bids, scores, awards and the tender's events.

A school's requisitions are aggregated into a tender's lots and lines; the tender is sealed at
publication (sealing.py): its bids and reserve prices are stored only encrypted to the tender's
key, whose private half is locked under a secret split among the committee (k of n). Nothing
readable about a price exists in any table before the committee opens the tender.

Public tables; a requisition names its school by foreign key to the tenant.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.money import money
from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.procurement.models.catalogue import CatalogueItem, Category
from shared_apps.procurement.models.contracts import FrameworkContract
from shared_apps.procurement.models.suppliers import Supplier


class Requisition(models.Model):
    """A school's request for goods (采购需求): raised by its logistics director or canteen
    manager, approved or rejected by its principal; approved ones are aggregated into tenders."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting the principal")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, related_name="requisitions", db_index=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason for rejection"), blank=True)

    owner_field = "raised_by"
    school_field = "school"
    objects = SchoolOwnedQuerySet["Requisition"].as_manager()

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-raised_at", "-id"]
        permissions = [("approve_requisition", _("Can approve or reject a school's requisition"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="procurement_requisition_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.school_id}#{self.pk} {self.status}"


class RequisitionLine(models.Model):
    """One line of a requisition: how much of a catalogue item, needed by when."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    needed_by = models.DateField(_("needed by"))

    school_field = "requisition__school"
    objects = SchoolOwnedQuerySet["RequisitionLine"].as_manager()

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["requisition_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="procurement_requisition_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requisition_id}: {self.quantity} x {self.item_id}"


class Evaluator(models.Model):
    """A member of the district's pool of evaluation experts (评标专家), with the sealing key they
    registered: its public half, and its private half encrypted under their passphrase (which is
    never stored)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluator"
    )
    name = models.CharField(_("name"), max_length=100)
    employer = models.CharField(_("employer"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=32)
    active = models.BooleanField(_("active"), default=True)
    public_key = models.BinaryField(_("sealing key (public)"), null=True, blank=True)
    locked_private_key = models.BinaryField(
        _("sealing key (private, encrypted under the passphrase)"), null=True, blank=True
    )
    key_registered_at = models.DateTimeField(_("sealing key registered at"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    owner_field = "user"

    class Meta:
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        ordering = ["name", "id"]
        permissions = [("register_key_evaluator", _("Can register one's own sealing key"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(public_key__isnull=True)
                    & Q(locked_private_key__isnull=True)
                    & Q(key_registered_at__isnull=True)
                )
                | (
                    Q(public_key__isnull=False)
                    & Q(locked_private_key__isnull=False)
                    & Q(key_registered_at__isnull=False)
                ),
                name="procurement_evaluator_key_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tender(models.Model):
    """A call for bids (招标) aggregating approved requisitions into lots, with its weighted
    criteria and committee; sealed from publication until the committee opens it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed (deadline passed)")
        OPENED = "opened", _("opened")
        EVALUATED = "evaluated", _("evaluated")
        AWARDED = "awarded", _("awarded")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    deadline = models.DateTimeField(_("deadline for bids"), null=True, blank=True)
    # Points of 100 for price; the quality criteria share the rest.
    price_weight = models.PositiveSmallIntegerField(_("price weight"), default=40)
    contract_months = models.PositiveSmallIntegerField(_("contract validity (months)"), default=12)
    # Shares needed to open (k); the committee's size is n.
    threshold = models.PositiveSmallIntegerField(_("shares needed to open"), default=2)
    public_key = models.BinaryField(_("tender key (public)"), null=True, blank=True)
    sealed_private_key = models.BinaryField(
        _("tender key (private, encrypted under the committee's secret)"), null=True, blank=True
    )
    # What bidders check before bidding, and the service before sealing: the public key's
    # fingerprint, and the district's signature of it (sealing.key_statement).
    key_fingerprint = models.CharField(
        _("tender key fingerprint (SHA-256)"), max_length=64, blank=True
    )
    key_signature = models.BinaryField(
        _("the district's signature of the key fingerprint"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    # The officer who ranked the bids into the committee's recommendation: another awards.
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    owner_field = "seats__evaluator__user"

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("browse_tender", _("Can read published tender notices")),
            ("publish_tender", _("Can publish a tender")),
            ("cancel_tender", _("Can cancel a tender")),
            ("open_tender", _("Can open a tender's bids")),
            ("score_tender", _("Can score a tender's bids")),
            ("evaluate_tender", _("Can rank a tender's scored bids")),
            ("award_tender", _("Can award a tender's lots")),
            ("view_signals_tender", _("Can read auditors' procurement signals")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_weight__lte=100)
                & Q(threshold__gte=2)
                & Q(contract_months__gte=1)
                & Q(contract_months__lte=60),
                name="procurement_tender_settings_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="procurement_tender_cancellation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="cancelled", published_at__isnull=True)
                | (
                    Q(public_key__isnull=False)
                    & Q(sealed_private_key__isnull=False)
                    & Q(deadline__isnull=False)
                    & ~Q(key_fingerprint="")
                    & Q(key_signature__isnull=False)
                ),
                name="procurement_tender_published_is_sealed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Lot(models.Model):
    """One lot of a tender (标段): the lines of one category, the published ceiling on a bid's
    total (最高限价), and the reserve price (标底), sealed until the opening."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="lots", db_index=False
    )
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    ceiling = money(_("price ceiling (最高限价)"), null=True, blank=True)
    sealed_reserve = models.BinaryField(_("reserve price, sealed"), null=True, blank=True)
    # Filled in at the opening.
    reserve_price = money(_("reserve price (标底)"), null=True, blank=True)
    few_bids = models.BooleanField(_("fewer than three valid bids"), default=False)
    recommended_bid = models.ForeignKey(
        "Bid", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="procurement_lot_number"),
            models.UniqueConstraint(
                fields=["tender", "category"], name="procurement_lot_one_per_category"
            ),
            models.CheckConstraint(
                condition=(Q(ceiling__isnull=True) | Q(ceiling__gt=0))
                & (Q(reserve_price__isnull=True) | Q(reserve_price__gt=0)),
                name="procurement_lot_prices_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}/{self.number} {self.category}"


class TenderLine(models.Model):
    """One line of a lot: a catalogue item, the quantity summed over the requisitions it
    aggregates, and the specification bidders price."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="lines", db_index=False)
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    specification = models.CharField(_("specification"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tender line")
        verbose_name_plural = _("tender lines")
        ordering = ["lot_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "item"], name="procurement_tender_line_item"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="procurement_tender_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.quantity} x {self.item_id}"


class TenderLineSource(models.Model):
    """Which tender line a requisition line was aggregated into. A requisition line is in at
    most one live tender; a cancelled tender releases its lines to be tendered again."""

    requisition_line = models.ForeignKey(
        RequisitionLine, on_delete=models.PROTECT, related_name="tenderings"
    )
    tender_line = models.ForeignKey(TenderLine, on_delete=models.CASCADE, related_name="sources")
    released = models.BooleanField(_("released (tender cancelled)"), default=False)

    school_field = "requisition_line__requisition__school"
    objects = SchoolOwnedQuerySet["TenderLineSource"].as_manager()

    class Meta:
        verbose_name = _("tender line source")
        verbose_name_plural = _("tender line sources")
        ordering = ["tender_line_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition_line"],
                condition=Q(released=False),
                name="procurement_requisition_line_tendered_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requisition_line_id} -> {self.tender_line_id}"


class Criterion(models.Model):
    """A quality criterion of a tender: its weight in points of 100, and the highest score a
    committee member may give on it."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="criteria", db_index=False
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight"))
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["tender_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "name"], name="procurement_criterion_name"),
            models.CheckConstraint(
                condition=Q(weight__gte=1)
                & Q(weight__lte=100)
                & Q(max_score__gte=1)
                & Q(max_score__lte=100),
                name="procurement_criterion_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class CommitteeSeat(models.Model):
    """An evaluator's seat on a tender's committee: their share of the tender key, encrypted to
    their own key; their declaration of interests; when they presented their share."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="seats", db_index=False
    )
    evaluator = models.ForeignKey(Evaluator, on_delete=models.PROTECT, related_name="seats")
    # The share's index (1..n) in the split of the tender's secret.
    index = models.PositiveSmallIntegerField(_("share index"))
    sealed_share = models.BinaryField(_("share, encrypted to the member"), null=True, blank=True)
    conflict = models.BooleanField(_("declared a conflict of interest"), null=True)
    conflict_note = models.TextField(_("declaration note"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    presented_at = models.DateTimeField(_("share presented at"), null=True, blank=True)
    # The member's signature of their score sheet: from then on their scores are final.
    scores_signed_at = models.DateTimeField(_("scores signed at"), null=True, blank=True)

    owner_field = "evaluator__user"

    class Meta:
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")
        ordering = ["tender_id", "index"]
        permissions = [
            ("declare_committeeseat", _("Can declare one's interests on a committee")),
            ("present_committeeseat", _("Can present one's share of a tender key")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "evaluator"], name="procurement_seat_one_per_evaluator"
            ),
            models.UniqueConstraint(fields=["tender", "index"], name="procurement_seat_index"),
            models.CheckConstraint(
                condition=Q(index__gte=1) & Q(index__lte=255), name="procurement_seat_index_range"
            ),
            models.CheckConstraint(
                condition=Q(presented_at__isnull=True) | Q(conflict__isnull=False),
                name="procurement_seat_declared_before_presenting",
            ),
            models.CheckConstraint(
                condition=Q(scores_signed_at__isnull=True) | Q(conflict=False),
                name="procurement_seat_signed_without_conflict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}/{self.index} {self.evaluator_id}"


class PresentedShare(models.Model):
    """A member's share of the tender key as decrypted when they presented it, kept only until
    the opening (which deletes it). Never copied into the audit trail."""

    seat = models.OneToOneField(
        CommitteeSeat, on_delete=models.CASCADE, related_name="presented_share"
    )
    share = models.BinaryField(_("share"))

    audit_redacted_fields: ClassVar[tuple[str, ...]] = ("share",)

    class Meta:
        verbose_name = _("presented share")
        verbose_name_plural = _("presented shares")
        ordering = ["seat_id"]

    def __str__(self) -> str:
        return f"share of seat {self.seat_id}"


class Bid(models.Model):
    """A supplier's bid for one lot (投标). Its contents (unit prices, delivery terms, quality
    statement) are stored only sealed to the tender's key until the opening, which decrypts them
    into its lines and total and decides whether it is valid. Until then nobody but the bidder
    learns that it exists; the API names it only by its random `public_id`, so that ids tell no
    one how many bids came in, or in what order."""

    class Status(models.TextChoices):
        SEALED = "sealed", _("sealed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        VALID = "valid", _("valid")
        REJECTED = "rejected", _("rejected at opening")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids", db_index=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="bids")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SEALED
    )
    sealed = models.BinaryField(_("sealed contents"), blank=True)
    # The fingerprint of the tender key the contents were sealed to, as the bidder declared it.
    key_fingerprint = models.CharField(_("sealed to the key"), max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    # Filled in at the opening.
    total = money(_("total"), null=True, blank=True)
    delivery_terms = models.TextField(_("delivery terms"), blank=True)
    quality_statement = models.TextField(_("quality statement"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # Filled in at the evaluation (points of 100, two places).
    price_score = models.DecimalField(
        _("price score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    quality_score = models.DecimalField(
        _("quality score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    owner_field = "supplier__users__user"

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["lot_id", "id"]
        permissions = [("withdraw_bid", _("Can withdraw one's own bid before the deadline"))]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "supplier"], name="procurement_bid_one_per_lot_and_supplier"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="procurement_bid_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gt=0),
                name="procurement_bid_total_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}/{self.supplier_id} {self.status}"


class BidLine(models.Model):
    """One line of an opened bid: the unit price offered for one tender line, and its amount."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line = models.ForeignKey(TenderLine, on_delete=models.PROTECT, related_name="+")
    unit_price = money(_("unit price"))
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("bid line")
        verbose_name_plural = _("bid lines")
        ordering = ["bid_id", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "line"], name="procurement_bid_line_once"),
            models.CheckConstraint(
                condition=Q(unit_price__gt=0), name="procurement_bid_line_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bid_id}/{self.line_id} {self.unit_price}"


class Score(models.Model):
    """One committee member's score of one valid bid on one quality criterion."""

    seat = models.ForeignKey(
        CommitteeSeat, on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["bid_id", "seat_id", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat", "bid", "criterion"], name="procurement_score_once"
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="procurement_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id}/{self.bid_id}/{self.criterion_id} {self.score}"


class Award(models.Model):
    """The award of one lot (中标): the bid chosen, the framework contract made from its lines,
    and the reasons recorded when it departs from the committee's recommendation or rests on a
    single valid bid."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="award")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="award")
    contract = models.OneToOneField(
        FrameworkContract, on_delete=models.PROTECT, related_name="award"
    )
    departs_from_recommendation = models.BooleanField(
        _("departs from the committee's recommendation"), default=False
    )
    reason = models.TextField(_("reason for departing from the recommendation"), blank=True)
    single_bid_justification = models.TextField(
        _("justification for awarding a single valid bid"), blank=True
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    awarded_at = models.DateTimeField(_("awarded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(departs_from_recommendation=False) | ~Q(reason=""),
                name="procurement_award_departure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"lot {self.lot_id}: bid {self.bid_id}"


class TenderEvent(models.Model):
    """One step of a tender that people read: published, reserve sealed, interests declared,
    share presented, opened, bid rejected, lot flagged, scores recorded and signed, evaluated,
    awarded, cancelled."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("published")
        RESERVE_SEALED = "reserve_sealed", _("reserve price sealed")
        DECLARED = "declared", _("interests declared")
        SHARE_PRESENTED = "share_presented", _("share presented")
        OPENED = "opened", _("opened")
        BID_REJECTED = "bid_rejected", _("bid rejected")
        FEW_BIDS = "few_bids", _("fewer than three valid bids")
        SCORED = "scored", _("scores recorded")
        SIGNED = "signed", _("scores signed")
        EVALUATED = "evaluated", _("evaluated")
        AWARDED = "awarded", _("awarded")
        CANCELLED = "cancelled", _("cancelled")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    seat = models.ForeignKey(
        CommitteeSeat, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tender event")
        verbose_name_plural = _("tender events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.tender_id}"
