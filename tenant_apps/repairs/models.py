"""A school's repair desk (报修): requests from any member (a room, a two-level fault category,
a description, photos, an urgency), dispatched to repair teams by the logistics director's rules,
accepted, worked and completed with the materials used, confirmed and rated by the requester;
the service-level timers each request runs on and the escalations when they run out; the monthly
scorecards of the teams and outsourced providers; and preventive maintenance plans that raise
work orders ahead of time.

A request's events are typed rows (`RepairEvent`), one per act, naming who acted: the request's
history as its requester and the director read it.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from houqin.db import one_of
from houqin.money import money
from tenant_apps.assets import classification
from tenant_apps.repairs import categories


class Policy(models.Model):
    """The school's repair policy: the working hours the service-level timers run in, and the
    estimated cost above which a repair is major work needing the principal's written approval.
    One row per school."""

    opens_at = models.TimeField(_("working hours begin"))
    closes_at = models.TimeField(_("working hours end"))
    major_work_threshold = money(_("major work above (CNY)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Always True: makes the table hold one row.
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("repair policy")
        verbose_name_plural = _("repair policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="repairs_policy_hours_ordered",
            ),
            models.CheckConstraint(
                condition=Q(major_work_threshold__gt=0), name="repairs_policy_threshold"
            ),
            models.CheckConstraint(condition=Q(singleton=True), name="repairs_policy_singleton"),
        ]

    def __str__(self) -> str:
        return f"{self.opens_at}–{self.closes_at} > {self.major_work_threshold}"


class Team(models.Model):
    """A repair team (维修班组): the school's own technicians, or an outsourced service provider,
    which may be one of the district's suppliers (its scorecards then feed the supplier's monthly
    ratings)."""

    class Kind(models.TextChoices):
        IN_HOUSE = "in_house", _("the school's own team")
        PROVIDER = "provider", _("outsourced service provider")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    supplier = models.ForeignKey(
        "procurement.Supplier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("technicians")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("repair team")
        verbose_name_plural = _("repair teams")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="provider") | Q(supplier__isnull=True),
                name="repairs_team_supplier_is_a_provider",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DispatchRule(models.Model):
    """Where requests go: a fault group or fault, in one building or anywhere, to a team. The most
    specific rule wins (a fault before its group, a building before anywhere)."""

    category = models.CharField(_("fault or group"), max_length=32, choices=categories.RULE_CHOICES)
    building = models.ForeignKey(
        "assets.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="rules")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        ordering = ["category", "building_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "building"],
                nulls_distinct=False,
                name="repairs_rule_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.team_id}"


class MaintenancePlan(models.Model):
    """Preventive maintenance (预防性维护) of one asset, or of every asset of a category: by the
    calendar (every N days or months) or by a meter (every N hours, say), raising work orders in
    the repair desk ahead of time, each with the plan's checklist."""

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        MONTHS = "months", _("months")
        METER = "meter", _("meter units")

    name = models.CharField(_("name"), max_length=200)
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asset_category = models.CharField(
        _("asset category"), max_length=9, choices=classification.CHOICES, blank=True
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("fault category"), max_length=32, choices=categories.CHOICES)
    every = models.PositiveIntegerField(_("every"))
    unit = models.CharField(_("unit"), max_length=6, choices=Unit.choices)
    # Calendar plans: the next date work is due, and how many days before it the order is raised.
    next_due = models.DateField(_("next due"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("raised days ahead"), default=7)
    # Meter plans: the last reading and the reading at which work is next due.
    meter_reading = models.DecimalField(
        _("last meter reading"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    next_meter = models.DecimalField(
        _("next due at reading"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    checklist = models.JSONField(_("inspection checklist"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["name"]
        permissions = [("meter_maintenanceplan", _("Can record a maintenance plan's meter"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(asset__isnull=False) & Q(asset_category=""))
                | (Q(asset__isnull=True) & ~Q(asset_category="")),
                name="repairs_plan_asset_or_category",
            ),
            models.CheckConstraint(condition=Q(every__gt=0), name="repairs_plan_every"),
            models.CheckConstraint(
                condition=(Q(unit="meter") & Q(next_meter__isnull=False))
                | (~Q(unit="meter") & Q(next_due__isnull=False)),
                name="repairs_plan_due_by_its_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RepairRequest(models.Model):
    """One fault reported in one place (报修), or one maintenance work order, from filing to the
    requester's confirmation: a work order (工单) once dispatched."""

    class Kind(models.TextChoices):
        FAULT = "fault", _("fault reported")
        MAINTENANCE = "maintenance", _("preventive maintenance")

    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", _("emergency")
        GENERAL = "general", _("general")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting dispatch")
        ASSIGNED = "assigned", _("assigned")
        AWAITING_APPROVAL = "awaiting_approval", _("major work awaiting approval")
        ACCEPTED = "accepted", pgettext_lazy("repair request", "accepted")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=11, choices=Kind.choices, default=Kind.FAULT)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    room = models.ForeignKey("assets.Room", on_delete=models.PROTECT, related_name="+")
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("fault category"), max_length=32, choices=categories.CHOICES)
    description = models.TextField(_("description"))
    urgency = models.CharField(_("urgency"), max_length=9, choices=Urgency.choices)
    status = models.CharField(
        _("status"), max_length=17, choices=Status.choices, default=Status.SUBMITTED
    )
    # Charged to whoever uses the space (a private space), or free (teaching and public spaces).
    charged = models.BooleanField(_("charged"))
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        MaintenancePlan, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    # The maintenance work order whose failed inspection item opened this request.
    inspection = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    estimated_cost = money(_("estimated cost"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval = models.TextField(_("principal's written approval"), blank=True)
    labour_cost = money(_("labour"), default=0)
    cost = money(_("cost (materials and labour)"), default=0)
    completion_note = models.TextField(_("what was done"), blank=True)
    # Maintenance work orders: the checklist with each item's result.
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The service-level timers: by when it is dispatched, accepted, attended and finished.
    classify_due = models.DateTimeField(_("dispatch due"))
    accept_due = models.DateTimeField(_("acceptance due"), null=True, blank=True)
    respond_due = models.DateTimeField(_("response due"))
    finish_due = models.DateTimeField(_("finish due"))

    owner_field: ClassVar[str] = "requester"

    class Meta:
        verbose_name = _("repair request")
        verbose_name_plural = _("repair requests")
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("photo_repairrequest", _("Can add photos to a repair request")),
            ("dispatch_repairrequest", _("Can dispatch or transfer a repair request")),
            ("accept_repairrequest", _("Can accept a repair request for the team")),
            ("reject_repairrequest", _("Can hand a repair request back with a reason")),
            ("start_repairrequest", _("Can record work started on a repair request")),
            ("complete_repairrequest", _("Can complete a repair request")),
            ("approve_repairrequest", _("Can approve major repair work (principal)")),
            ("extend_repairrequest", _("Can extend a repair request's deadline")),
            ("confirm_repairrequest", _("Can confirm and rate a completed repair")),
            ("reopen_repairrequest", _("Can reopen a repair whose fault returned")),
            ("cancel_repairrequest", _("Can cancel a repair request not yet accepted")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="repairs_request_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=one_of("status", ["submitted", "cancelled"]) | Q(team__isnull=False),
                name="repairs_request_dispatched_to_a_team",
            ),
            models.CheckConstraint(
                condition=~one_of("status", ["completed", "confirmed"])
                | Q(completed_at__isnull=False),
                name="repairs_request_completed_with_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="repairs_request_confirmed_with_time",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0) & Q(labour_cost__gte=0),
                name="repairs_request_cost",
            ),
            models.CheckConstraint(
                condition=Q(kind="maintenance") | Q(requester__isnull=False),
                name="repairs_request_fault_has_requester",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "finish_due"]),
            models.Index(fields=["team", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The number the requester and the technicians quote (工单号)."""
        return f"BX{self.submitted_at:%Y%m}-{self.pk:06d}"


class RepairPhoto(models.Model):
    """A photo of a fault as reported, or of the finished work: resized, its EXIF (location
    included) stripped, kept through the storage API."""

    class Kind(models.TextChoices):
        FAULT = "fault", _("the fault")
        COMPLETION = "completion", _("the finished work")

    request = models.ForeignKey(RepairRequest, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    image = models.FileField(_("image"), max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    owner_field: ClassVar[str] = "request__requester"

    class Meta:
        verbose_name = _("repair photo")
        verbose_name_plural = _("repair photos")
        ordering = ["request_id", "id"]

    def __str__(self) -> str:
        return str(self.image.name)


class RepairEvent(models.Model):
    """One act on a request, or an escalation of a timer that ran out: the request's history."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ASSIGNED = "assigned", _("assigned")
        TRANSFERRED = "transferred", _("transferred")
        REJECTED = "rejected", _("handed back")
        ACCEPTED = "accepted", pgettext_lazy("repair request", "accepted")
        APPROVED = "approved", _("major work approved")
        STARTED = "started", _("work started")
        COMPLETED = "completed", _("completed")
        CONFIRMED = "confirmed", _("confirmed")
        AUTO_CONFIRMED = "auto_confirmed", _("confirmed automatically")
        REOPENED = "reopened", _("reopened")
        EXTENDED = "extended", _("deadline extended")
        ESCALATED = "escalated", _("escalated: overdue")
        CANCELLED = "cancelled", _("cancelled")

    class Stage(models.TextChoices):
        DISPATCH = "dispatch", _("dispatch")
        ACCEPT = "accept", _("acceptance")
        RESPOND = "respond", _("response")
        FINISH = "finish", _("finish")

    request = models.ForeignKey(RepairRequest, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    # Escalations: the timer that ran out.
    stage = models.CharField(_("timer"), max_length=8, choices=Stage.choices, blank=True)
    # How many times the request had been reopened: its timers start again with each round.
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("repair event")
        verbose_name_plural = _("repair events")
        ordering = ["request_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="escalated")
                    & one_of("stage", ["dispatch", "accept", "respond", "finish"])
                )
                | (~Q(kind="escalated") & Q(stage="")),
                name="repairs_event_escalation_names_its_timer",
            ),
            # A timer escalates once per round of the request.
            models.UniqueConstraint(
                fields=["request", "stage", "round"],
                condition=Q(kind="escalated"),
                name="repairs_event_escalated_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class RepairMaterial(models.Model):
    """Material used on a repair: from the school's stock, or bought under one of its orders."""

    request = models.ForeignKey(RepairRequest, on_delete=models.PROTECT, related_name="materials")
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=16)
    unit_cost = money(_("unit cost"))
    amount = money(_("amount"))
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("material used")
        verbose_name_plural = _("materials used")
        ordering = ["request_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_cost__gte=0) & Q(amount__gte=0),
                name="repairs_material_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class Scorecard(models.Model):
    """A team's or provider's score for one month: 80% the managing department's score, 20% the
    requesters' ratings, graded; for a district supplier, fed into its monthly rating."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("excellent (≥ 90)")
        GOOD = "good", _("good (≥ 80)")
        PASS = "pass", _("pass (≥ 70)")
        FAIL = "fail", _("fail (< 70)")

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="scorecards", db_index=False
    )
    month = models.DateField(_("month (its first day)"))
    completed = models.PositiveIntegerField(_("requests completed"))
    on_time = models.PositiveIntegerField(_("finished on time"))
    ratings = models.PositiveIntegerField(_("ratings given"))
    mean_rating = models.DecimalField(
        _("mean rating"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    department_score = models.DecimalField(_("department's score"), max_digits=5, decimal_places=2)
    users_score = models.DecimalField(_("users' score"), max_digits=5, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=9, choices=Grade.choices)
    note = models.TextField(_("note"), blank=True)
    # The district's monthly rating of the team's supplier this scorecard recorded: its id, not
    # a foreign key (the ratings are the district's rows of every school, a distributed table
    # under scale-out, which a school's table may not point at).
    supplier_rating_id = models.BigIntegerField(_("supplier rating"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-month", "team_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="repairs_scorecard_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="repairs_scorecard_month"),
            models.CheckConstraint(
                condition=Q(department_score__gte=0, department_score__lte=100)
                & Q(users_score__gte=0, users_score__lte=100)
                & Q(total__gte=0, total__lte=100),
                name="repairs_scorecard_scores_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(on_time__lte=models.F("completed")),
                name="repairs_scorecard_on_time_within_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.month:%Y-%m} {self.total}"
