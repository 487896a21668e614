"""Subsidy programmes (the nutrition improvement programme), budgets per school and period and
what is added to them later (追加预算), monthly claims computed from the canteen's servings, their
decisions and disbursements.

Money is CNY in `Decimal` with two places. The budget invariant (never overspent) is a CHECK
constraint on the budget row, and every service that moves money locks that row first.
Public tables: a claim names its school by foreign key to the tenant, never a school's rows.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from houqin.money import ZERO, money
from houqin.tenancy import SchoolOwnedQuerySet


class ProgrammeCode(models.TextChoices):
    """The codes of the programmes the district starts with (made by this app's migrations).
    Any other programme the finance officer creates works the same way: schools record their
    students' eligibility against the programme's row (people's `SubsidyEligibility`), and its
    claims count by what the row declares."""

    NUTRITION_IMPROVEMENT = "nutrition_improvement", _("nutrition improvement programme")
    BOARDING_LIVING = "boarding_living", _("living allowance for boarding students")


class Programme(models.Model):
    """A subsidy programme: which students it is for, what it pays per what (`basis`), and what
    happens to a surplus. Schools record eligibility against it; nothing in the code names it."""

    class CarryOver(models.TextChoices):
        NONE = "none", _("no carry-over: surplus lapses")
        NEXT_PERIOD = "next_period", _("carry to the next period of the same budget year")

    class Basis(models.TextChoices):
        SERVED_DAY = "served_day", _("per eligible student served, per school day")
        PER_HEAD = "per_head", _("per eligible student at school in the month")
        SEMESTER = "semester", _("per eligible student at the start of each term")

    class Students(models.TextChoices):
        ANY = "any", _("any student")
        COMPULSORY = "compulsory", _("compulsory education (grades 1 to 9)")
        BOARDERS = "boarders", _("boarding students")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # Named for the first basis; for the others it is the rate per head or per term.
    daily_rate = money(_("rate (CNY per unit of its basis)"), default=Decimal("5.00"))
    # A programme counting students (per head, per term) may pay by school stage: a primary
    # pupil (grades 1-6) at the first, a junior-secondary student (7-9) at the second; a
    # student of a stage without a rate is paid `daily_rate`.
    primary_rate = money(_("rate for a primary pupil"), null=True, blank=True)
    junior_rate = money(_("rate for a junior-secondary student"), null=True, blank=True)
    basis = models.CharField(
        _("pays"), max_length=16, choices=Basis.choices, default=Basis.SERVED_DAY
    )
    students = models.CharField(
        _("for"), max_length=16, choices=Students.choices, default=Students.ANY
    )
    carry_over = models.CharField(
        _("carry-over rule"), max_length=16, choices=CarryOver.choices, default=CarryOver.NONE
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy programme")
        verbose_name_plural = _("subsidy programmes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_rate__gt=0), name="subsidies_programme_rate_positive"
            ),
            models.CheckConstraint(
                condition=(Q(primary_rate__isnull=True) | Q(primary_rate__gt=0))
                & (Q(junior_rate__isnull=True) | Q(junior_rate__gt=0)),
                name="subsidies_programme_stage_rates_positive",
            ),
            models.CheckConstraint(
                condition=Q(basis="served_day", primary_rate__isnull=True, junior_rate__isnull=True)
                | ~Q(basis="served_day"),
                name="subsidies_programme_stage_rates_count_students",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Budget(models.Model):
    """Money set aside for one school under one programme for one period (a semester, a year)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="budgets", db_index=False
    )
    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, related_name="subsidy_budgets"
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    allocated = money(_("allocated"))
    # The sum of the budget's supplements, kept on the row so that the CHECK below sees it.
    supplemented = money(_("supplemented (supplementary budgets)"), default=ZERO)
    carried_in = money(_("carried in from the previous period"), default=ZERO)
    carried_out = money(_("carried out to the next period"), default=ZERO)
    committed = money(_("committed (approved claims)"), default=ZERO)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["Budget"].as_manager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-period_start", "school_id", "programme_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "school", "period_start"],
                name="subsidies_budget_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0)
                & Q(supplemented__gte=0)
                & Q(carried_in__gte=0)
                & Q(carried_out__gte=0)
                & Q(committed__gte=0),
                name="subsidies_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    committed__lte=F("allocated")
                    + F("supplemented")
                    + F("carried_in")
                    - F("carried_out")
                ),
                name="subsidies_budget_never_overspent",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="subsidies_budget_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.school_id} {self.period_start}..{self.period_end}"

    @property
    def available(self) -> Decimal:
        """What approvals may still commit."""
        return (
            self.allocated + self.supplemented + self.carried_in - self.carried_out - self.committed
        )


class BudgetSupplement(models.Model):
    """Money the district adds to a budget after allocating it (追加预算), and why: proposed by
    one finance officer, counted once another approves it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="supplements")
    amount = money(_("amount"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    school_field = "budget__school"
    objects = SchoolOwnedQuerySet["BudgetSupplement"].as_manager()

    class Meta:
        verbose_name = _("supplementary budget")
        verbose_name_plural = _("supplementary budgets")
        ordering = ["id"]
        permissions = [("approve_budgetsupplement", _("Can approve a supplementary budget"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidies_supplement_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="subsidies_supplement_has_reason"),
            models.CheckConstraint(
                condition=Q(status="proposed", approved_at__isnull=True)
                | Q(status="approved", approved_at__isnull=False),
                name="subsidies_supplement_approved_when_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.amount} for budget #{self.budget_id}"


class Claim(models.Model):
    """A school's monthly claim under a programme, counted by the programme's basis from the
    school's records, from draft to paid; or an adjustment of a closed month: the difference
    between what the records now say and what was claimed for the month before, positive or
    negative, decided and paid (or returned) the same way.

    Submitting a month's claim closes the school's month for what it counted (servings,
    sessions, eligibility, calendar days): a later change to them is refused, or recorded as a
    `MonthCorrection` that opens the month's adjustment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PAID = "paid", _("paid")

    class Kind(models.TextChoices):
        CLAIM = "claim", _("monthly claim")
        ADJUSTMENT = "adjustment", _("adjustment (补报)")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="claims")
    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, related_name="subsidy_claims", db_index=False
    )
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="claims")
    month = models.DateField(_("month (its first day)"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CLAIM)
    # An adjustment's month claim: the claim whose submission closed the month.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name=_("adjusts"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    basis = models.CharField(
        _("counted"),
        max_length=16,
        choices=Programme.Basis.choices,
        default=Programme.Basis.SERVED_DAY,
    )
    # {"2025-09-01": 812, ...}: the units counted on each day (eligible students served, for a
    # programme paid per served day; eligible students at school, per head or per term).
    breakdown = models.JSONField(_("units per day counted"), default=dict)
    school_days = models.PositiveSmallIntegerField(_("school days"), default=0)
    # Student-days, or students for a programme paid per head or per term: the month's whole
    # count, for an adjustment too.
    student_days = models.PositiveIntegerField(_("units counted"), default=0)
    daily_rate = money(_("rate applied"))
    # The programme's rates by school stage when the claim was computed, and the units counted
    # at each ({"primary": 40, "junior": 12, "none": 0}); empty for a programme of one rate.
    primary_rate = money(_("rate applied to a primary pupil"), null=True, blank=True)
    junior_rate = money(_("rate applied to a junior-secondary student"), null=True, blank=True)
    stage_units = models.JSONField(_("units counted by school stage"), default=dict)
    # What this claim asks for: an adjustment's is the difference, and may be negative.
    amount = money(_("amount"))
    # An adjustment's: what the month's claim and its earlier adjustments asked for.
    claimed_before = money(_("claimed before"), null=True, blank=True)
    # Paid out; for a negative adjustment, returned by the school (down to its amount).
    disbursed = money(_("disbursed"), default=ZERO)
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason for rejection"), blank=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["Claim"].as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-month", "-id"]
        permissions = [
            ("prepare_claim", _("Can compute (prepare) a school's monthly claim")),
            ("submit_claim", _("Can submit a school's monthly claim")),
            ("approve_claim", _("Can approve or reject a monthly claim")),
            ("disburse_claim", _("Can record a disbursement of a claim")),
            ("correct_claim", _("Can change a closed month's records, as a correction")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "school", "month"],
                condition=~Q(status="rejected") & Q(kind="claim"),
                name="subsidies_claim_one_live_per_month",
            ),
            models.UniqueConstraint(
                fields=["programme", "school", "month"],
                condition=Q(status="draft") & Q(kind="adjustment"),
                name="subsidies_claim_one_open_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(kind="claim", corrects__isnull=True, claimed_before__isnull=True)
                | Q(kind="adjustment", corrects__isnull=False, claimed_before__isnull=False),
                name="subsidies_claim_adjustment_corrects_a_claim",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="subsidies_claim_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(disbursed__gte=0) & Q(disbursed__lte=F("amount"))
                | Q(kind="adjustment", amount__lt=0, disbursed__lte=0, disbursed__gte=F("amount")),
                name="subsidies_claim_disbursed_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="subsidies_claim_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.school_id} {self.month:%Y-%m} {self.kind} {self.status}"

    @property
    def closes_month(self) -> bool:
        """A month claim submitted (and not sent back) closes its month."""
        return self.kind == self.Kind.CLAIM and self.status in CLOSING_STATUSES


CLOSING_STATUSES = (Claim.Status.SUBMITTED, Claim.Status.APPROVED, Claim.Status.PAID)


class MonthCorrection(models.Model):
    """A change to a closed month's records (a serving, a meal session, an eligibility period,
    a calendar day, a boarder's bed allocation), who made it and why, and the adjustment it
    opened (none when the month's figures came out the same)."""

    class Change(models.TextChoices):
        SERVING = "serving", _("servings")
        SESSION = "session", _("meal session")
        ELIGIBILITY = "eligibility", _("eligibility")
        CALENDAR = "calendar", _("calendar")
        ALLOCATION = "allocation", _("bed allocation")

    school = models.ForeignKey("tenants.School", on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="corrections")
    month = models.DateField(_("month (its first day)"))
    change = models.CharField(_("change"), max_length=16, choices=Change.choices)
    detail = models.TextField(_("what changed"))
    reason = models.TextField(_("reason"))
    adjustment = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    corrected_at = models.DateTimeField(_("corrected at"), auto_now_add=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["MonthCorrection"].as_manager()

    class Meta:
        verbose_name = _("correction of a closed month")
        verbose_name_plural = _("corrections of closed months")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="subsidies_correction_has_reason"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="subsidies_correction_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change} {self.month:%Y-%m} #{self.claim_id}"


class ClaimEvent(models.Model):
    """One step in a claim's life that people read: computed, submitted, approved, rejected,
    paid (each disbursement), returned (each repayment of a negative adjustment), and each
    correction of the month it closed."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("computed")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PAID = "paid", _("paid")
        RETURNED = "returned", _("returned")
        CORRECTED = "corrected", _("month corrected")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True)
    amount = money(_("amount"), null=True)
    note = models.TextField(_("note"), blank=True)

    school_field = "claim__school"
    objects = SchoolOwnedQuerySet["ClaimEvent"].as_manager()

    class Meta:
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.claim_id}"


class Disbursement(models.Model):
    """Money paid out against an approved claim, or, for a negative adjustment, returned by the
    school to the district."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="disbursements")
    amount = money(_("amount"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    school_field = "claim__school"
    objects = SchoolOwnedQuerySet["Disbursement"].as_manager()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="subsidies_disbursement_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} for #{self.claim_id}"
