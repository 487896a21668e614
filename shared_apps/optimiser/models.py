"""The meal-plan optimiser's proposals (配餐优化): a week of meals for one age band composed at
the lowest cost that meets the nutrition standard, with what it was composed from, so that it can
be composed again. The district's proposals are published as meal plans; a school's are priced
at its own contracts. In the public schema, beside the standard, recipes and plans."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.money import money
from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.standards.models import (
    HUNDRED_PCT,
    PORTION_MAX_PCT,
    PORTION_MIN_PCT,
    AgeBand,
    Meal,
)


class Proposal(models.Model):
    """A week of meals for one age band composed by the optimiser: the district's (no school) or
    a school's, with its inputs (standard, rules, prices), how the solver ended, and its entries'
    check against the standard as of its last change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    school = models.ForeignKey(
        "tenants.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standard = models.ForeignKey(
        "standards.NutritionStandard", on_delete=models.PROTECT, related_name="+"
    )
    week_start = models.DateField(_("week starting (Monday)"))
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    meals = ArrayField(
        models.CharField(max_length=9, choices=Meal.choices), verbose_name=_("meals")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # What it was composed from: the standard's version, the rules, the price of every food and
    # its source, the recipes considered and why others were left out.
    inputs = models.JSONField(_("inputs"), encoder=DjangoJSONEncoder)
    # How the search ended: its status, time, gap to the best bound, whether it ran out of time.
    solver = models.JSONField(_("solver"), encoder=DjangoJSONEncoder)
    # The plan validator's report on the entries, their costs and what they miss.
    report = models.JSONField(_("report"), encoder=DjangoJSONEncoder)
    cost = money(_("cost of the week per student"))
    meets_standard = models.BooleanField(_("meets the standard"), default=False)
    plan = models.ForeignKey(
        "standards.MealPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    school_field = "school"
    objects = SchoolOwnedQuerySet["Proposal"].as_manager()

    class Meta:
        verbose_name = _("meal plan proposal")
        verbose_name_plural = _("meal plan proposals")
        ordering = ["-created_at", "-id"]
        permissions = [("publish_proposal", _("Can publish a proposal as the week's meal plan"))]
        indexes = [models.Index(fields=["week_start", "age_band"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1), name="proposal_week_starts_on_monday"
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="proposal_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(status="draft", plan__isnull=True, published_at__isnull=True)
                | Q(
                    status="published",
                    plan__isnull=False,
                    published_at__isnull=False,
                    school__isnull=True,
                ),
                name="proposal_published_is_a_district_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week_start} {self.age_band} #{self.pk} ({self.status})"


class ProposalEntry(models.Model):
    """One recipe at one meal of one day of a proposal, at a portion of the recipe's serving,
    with its cost per serving at the proposal's prices."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    weekday = models.PositiveSmallIntegerField(_("weekday (1 = Monday)"))
    meal = models.CharField(_("meal"), max_length=9, choices=Meal.choices)
    recipe = models.ForeignKey("standards.Recipe", on_delete=models.PROTECT, related_name="+")
    portion_pct = models.DecimalField(
        _("portion (%)"), max_digits=8, decimal_places=4, default=HUNDRED_PCT
    )
    cost = models.DecimalField(_("cost per serving"), max_digits=10, decimal_places=4)

    school_field = "proposal__school"
    objects = SchoolOwnedQuerySet["ProposalEntry"].as_manager()

    class Meta:
        verbose_name = _("meal plan proposal entry")
        verbose_name_plural = _("meal plan proposal entries")
        ordering = ["proposal", "weekday", "meal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "weekday", "meal", "recipe"],
                name="proposal_entry_once_per_menu",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="proposal_entry_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(portion_pct__gte=PORTION_MIN_PCT, portion_pct__lte=PORTION_MAX_PCT),
                name="proposal_entry_portion_sane",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="proposal_entry_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} day {self.weekday} {self.meal}: {self.recipe_id}"
