"""Filters of the repair desk's lists, for the API and the pages alike."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from houqin.filters import LabelledFilterSet, MonthFilter, date_range, month_range
from tenant_apps.repairs import categories
from tenant_apps.repairs.models import (
    DispatchRule,
    MaintenancePlan,
    RepairRequest,
    Scorecard,
    Team,
)
from tenant_apps.repairs.selectors import OPEN, overdue_q

DATE = forms.DateInput(attrs={"type": "date"})


class RepairRequestFilter(LabelledFilterSet):
    """The board: by status, team, place, asset, category and urgency; the open ones; those one
    of whose timers has run out; those of a fault group; a technician's own queue (`mine`)."""

    open = django_filters.BooleanFilter(method="filter_open", label=_("open (not finished)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    group = django_filters.ChoiceFilter(
        choices=list(categories.GROUPS.items()), method="filter_group", label=_("fault group")
    )
    building = django_filters.NumberFilter(field_name="room__building")
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("assigned to my teams"))
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at__date", lookup_expr="gte", label=_("reported from"), widget=DATE
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at__date", lookup_expr="lte", label=_("reported until"), widget=DATE
    )

    class Meta:
        model = RepairRequest
        fields = ["status", "kind", "team", "room", "asset", "category", "urgency", "plan"]

    def filter_open(self, queryset: QuerySet[RepairRequest], name: str, value: bool) -> QuerySet:
        q = Q(status__in=OPEN)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_overdue(self, queryset: QuerySet[RepairRequest], name: str, value: bool) -> QuerySet:
        q = overdue_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_group(self, queryset: QuerySet[RepairRequest], name: str, value: str) -> QuerySet:
        return queryset.filter(category__startswith=f"{value}.")

    def filter_mine(self, queryset: QuerySet[RepairRequest], name: str, value: bool) -> QuerySet:
        user_id = self.request.user.pk if self.request is not None else None
        q = Q(team__in=Team.objects.filter(members=user_id)) | Q(technician=user_id)
        return queryset.filter(q) if value else queryset.exclude(q)


class RepairDeskFilter(RepairRequestFilter):
    """The board's filters on the pages, each chosen from a short list (no room, asset or plan
    to pick among hundreds)."""

    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("team"))
    building = None
    mine = None

    class Meta(RepairRequestFilter.Meta):
        fields = ["status", "team", "category", "urgency"]


class TeamFilter(LabelledFilterSet):
    supplier = django_filters.NumberFilter(label=_("district supplier"))
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = Team
        fields = ["kind", "active", "supplier"]


class ScorecardFilter(LabelledFilterSet):
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("team"))
    grade = django_filters.ChoiceFilter(
        choices=Scorecard.Grade.choices, label=pgettext_lazy("scorecard", "grade")
    )
    month = MonthFilter(field_name="month", label=_("month"))
    month_from, month_to = month_range("month", _("Month"))

    class Meta:
        model = Scorecard
        fields = ["team", "grade"]


class MaintenancePlanFilter(LabelledFilterSet):
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("team"))
    asset = django_filters.NumberFilter(label=_("asset"))
    next_due_from, next_due_to = date_range("next_due", _("Next due"))

    class Meta:
        model = MaintenancePlan
        fields = ["team", "asset", "asset_category", "unit", "active"]


class RuleFilter(LabelledFilterSet):
    created_from, created_to = date_range("created_at", _("Created"))

    class Meta:
        model = DispatchRule
        fields: list[str] = []
