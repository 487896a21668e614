"""The school's requisition forms: the catalogue with a quantity for the month per item, and the
principal's reason for a rejection."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.filters import MonthFormField
from shared_apps.procurement.models import CatalogueItem


class RaiseForm(forms.Form):
    """The month the goods are for, a note, and a quantity per catalogue item (`quantity_<id>`;
    an empty one is not asked for)."""

    month = MonthFormField(
        label=_("Month"),
        help_text=_("The month the goods are for: they are needed by its first day."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, items: list[CatalogueItem], month: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["month"].initial = f"{month:%Y-%m}"
        for item in items:
            self.fields[f"quantity_{item.pk}"] = forms.DecimalField(
                label=_("%(item)s (%(unit)s)") % {"item": item.name, "unit": item.unit},
                max_digits=14,
                decimal_places=3,
                min_value=Decimal("0"),
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            )

    def item_fields(self) -> list[tuple[CatalogueItem, forms.BoundField]]:
        return [(item, self[f"quantity_{item.pk}"]) for item in self.items]

    def wanted(self) -> list[tuple[CatalogueItem, Decimal]]:
        """The items given a quantity above nothing."""
        return [
            (item, self.cleaned_data[f"quantity_{item.pk}"])
            for item in self.items
            if self.cleaned_data[f"quantity_{item.pk}"]
        ]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Whoever raised it reads it, and may raise it again corrected."),
    )
