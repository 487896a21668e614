"""The supplier portal's forms: a licence with its scan, and a bid for one lot (a unit price per
line, delivery terms, a quality statement, and the fingerprint of the tender key it is sealed
to). They check the shape of what is typed; the rules are the services'."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.procurement.models import Lot, Qualification, TenderLine

PRICE = "price_"


class DateInput(forms.DateInput):
    input_type = "date"


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Qualification.Kind.choices)
    number = forms.CharField(label=_("number"), max_length=64)
    issued_by = forms.CharField(label=_("issued by"), max_length=200, required=False)
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput)
    expires_on = forms.DateField(label=_("expires on"), widget=DateInput)
    scan = forms.FileField(
        label=_("scan of the licence"),
        help_text=_("A photo or scan of the document (JPEG, PNG or WebP)."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class BidForm(forms.Form):
    """A unit price for each line of `lot` (fields `price_<line id>`), in the lot's order."""

    delivery_terms = forms.CharField(
        label=_("delivery terms"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    quality_statement = forms.CharField(
        label=_("quality statement"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    key_fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, lot: Lot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: list[TenderLine] = list(lot.lines.all())
        self.fields["key_fingerprint"].initial = lot.tender.key_fingerprint
        for line in self.lines:
            self.fields[f"{PRICE}{line.pk}"] = forms.DecimalField(
                label=_("unit price of %(item)s") % {"item": line.item.name},
                min_value=Decimal("0.01"),
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )

    def price_fields(self) -> list[tuple[TenderLine, forms.BoundField]]:
        return [(line, self[f"{PRICE}{line.pk}"]) for line in self.lines]

    def unit_prices(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[f"{PRICE}{line.pk}"] for line in self.lines}


def typed_prices(data: Any, lot: Lot) -> dict[int, Decimal]:
    """The unit prices typed so far (the page's running total): those that read as positive
    amounts, by line; the others are left out."""
    prices: dict[int, Decimal] = {}
    for line in lot.lines.all():
        field = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
        try:
            prices[line.pk] = field.clean(data.get(f"{PRICE}{line.pk}"))
        except forms.ValidationError:
            continue
    return prices
