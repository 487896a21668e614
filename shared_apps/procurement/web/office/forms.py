"""The procurement officer's forms: a tender from waiting requisitions, reserve prices, awards,
suspensions and reinstatements, rejections of licences. Shapes only: the rules are the
services'."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.procurement.models import Category, Lot
from shared_apps.procurement.selectors import tenders as selectors

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_MONEY = Decimal("999999999999.99")
# Rows of quality criteria the form offers (a tender may use fewer).
CRITERIA_ROWS = 3


def _money(label: Any, widget: forms.Widget | None = None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_value=MAX_MONEY,
        max_digits=14,
        decimal_places=2,
        widget=widget or forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _reason(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class TenderForm(forms.Form):
    """A tender's settings for the requisitions chosen on the waiting page (one ceiling per
    category among their lines)."""

    requisitions = forms.ModelMultipleChoiceField(
        queryset=selectors.requisition_list(approved_only=True).across_schools(),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Choose the requisitions to tender first.")},
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateTimeField(
        label=_("Deadline for bids"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    price_weight = forms.IntegerField(
        label=_("Price weight"),
        min_value=0,
        max_value=100,
        initial=40,
        help_text=_("Points of 100 for price; the criteria below share the rest."),
    )
    contract_months = forms.IntegerField(
        label=_("Contract validity (months)"), min_value=1, max_value=60, initial=12
    )
    committee = forms.ModelMultipleChoiceField(
        label=_("Evaluation committee"),
        queryset=selectors.evaluator_pool(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least three evaluators with a registered sealing key."),
    )
    threshold = forms.IntegerField(
        label=_("Shares needed to open"),
        min_value=2,
        max_value=255,
        initial=2,
        help_text=_("k of the committee's n members open the bids together."),
    )

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Category.choices)
        for category in categories:
            self.fields[f"ceiling_{category}"] = _money(
                _("Price ceiling of the %(category)s lot (CNY)") % {"category": labels[category]}
            )
        for n in range(1, CRITERIA_ROWS + 1):
            self.fields[f"criterion_{n}"] = forms.CharField(
                label=_("Criterion %(n)s") % {"n": n}, max_length=100, required=n == 1
            )
            self.fields[f"weight_{n}"] = forms.IntegerField(
                label=_("Weight of criterion %(n)s") % {"n": n},
                min_value=1,
                max_value=100,
                required=False,
            )
            self.fields[f"max_score_{n}"] = forms.IntegerField(
                label=_("Highest score on criterion %(n)s") % {"n": n},
                min_value=1,
                max_value=100,
                initial=10,
                required=False,
            )
        self.categories = categories

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        for n in range(1, CRITERIA_ROWS + 1):
            if data.get(f"criterion_{n}") and data.get(f"weight_{n}") is None:
                self.add_error(f"weight_{n}", _("A criterion needs its weight."))
        return data

    def criteria(self) -> list[tuple[str, int, int]]:
        """(name, weight, highest score) of the rows filled in."""
        data = self.cleaned_data
        return [
            (data[f"criterion_{n}"], data[f"weight_{n}"], data[f"max_score_{n}"] or 10)
            for n in range(1, CRITERIA_ROWS + 1)
            if data.get(f"criterion_{n}")
        ]

    def ceilings(self) -> dict[str, Decimal]:
        return {c: self.cleaned_data[f"ceiling_{c}"] for c in self.categories}


class ReserveForm(forms.Form):
    """A reserve price (标底) for each lot not yet given one. Typed once and never shown again:
    the inputs do not echo what was typed, even when the form comes back refused."""

    def __init__(self, *args: Any, lots: list[Lot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Category.choices)
        hidden = forms.PasswordInput(
            attrs={"inputmode": "decimal", "autocomplete": "off"}, render_value=False
        )
        for lot in lots:
            self.fields[f"lot_{lot.pk}"] = _money(
                _("Reserve price of lot %(number)s, %(category)s (CNY)")
                % {"number": lot.number, "category": labels[lot.category]},
                hidden,
            )
        self.lots = lots

    def reserves(self) -> dict[int, Decimal]:
        return {lot.pk: self.cleaned_data[f"lot_{lot.pk}"] for lot in self.lots}


class AwardForm(forms.Form):
    """The award of one lot: the bid chosen (the recommendation unless another is picked) and
    the reasons the service asks for."""

    bid = forms.ChoiceField(label=_("Bid awarded"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason for departing from the recommendation"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when another bid than the recommendation is awarded."),
    )
    justification = forms.CharField(
        label=_("Justification for a single valid bid"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bid"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ReasonForm(forms.Form):
    reason = _reason(_("Reason"))
