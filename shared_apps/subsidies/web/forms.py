"""The subsidy pages' forms and list filters (the API's FilterSets, labelled for people)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, ChoiceFilter, FilterSet

from houqin.filters import MonthFilter, MonthFormField
from shared_apps.subsidies import selectors
from shared_apps.subsidies.filters import BudgetFilter, ClaimFilter
from shared_apps.subsidies.models import Claim

MAX_MONEY = Decimal("999999999999.99")


def _amount(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_value=MAX_MONEY,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ClaimListFilter(ClaimFilter):
    """The API's claim filters, as a page shows them."""

    school = CharFilter(field_name="school__code", label=_("School code"), max_length=32)
    programme = CharFilter(field_name="programme__code", label=_("Programme code"), max_length=64)
    status = ChoiceFilter(choices=Claim.Status.choices, label=_("Status"))
    kind = ChoiceFilter(choices=Claim.Kind.choices, label=_("Kind"))
    month = MonthFilter(field_name="month", label=_("Month"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("From month"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("To month"))


class _OwnSchool(FilterSet):
    """A school's own rows: no school to choose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("school")


class SchoolClaimListFilter(_OwnSchool, ClaimListFilter):
    pass


class BudgetListFilter(BudgetFilter):
    """The API's budget filters, as a page shows them."""

    school = CharFilter(field_name="school__code", label=_("School code"), max_length=32)
    programme = CharFilter(field_name="programme__code", label=_("Programme code"), max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["budget_year"].label = _("Budget year")


class SchoolBudgetListFilter(_OwnSchool, BudgetListFilter):
    pass


class ClaimComputeForm(forms.Form):
    programme = forms.ModelChoiceField(
        queryset=selectors.programme_active_list(),
        to_field_name="code",
        label=_("Programme"),
        empty_label=None,
    )
    month = MonthFormField(
        label=_("Month"),
        help_text=_("A month's claim is computed from its last school day on."),
    )


class ConfirmForm(forms.Form):
    """An act that needs no more than the button that confirms it."""


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The school reads it, corrects its records and computes the claim again."),
    )


class PayForm(forms.Form):
    amount = _amount(_("Amount paid (CNY)"))
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class SupplementForm(forms.Form):
    amount = _amount(_("Amount requested (CNY)"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the budget does not suffice: more students served, a longer term ..."),
    )
