"""The school's order forms: placing an order under a contract, receiving its delivery (per line
what came and what was sent back, and for food the papers of the inbound inspection, 进货查验),
the supplier's invoice, its payment and the month's rating of the supplier."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.filters import MonthFormField
from shared_apps.procurement.models import ContractPrice
from tenant_apps.canteen.models import USUAL_CERTIFICATES
from tenant_apps.orders.models import OrderLine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})


def _quantity(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        **kwargs,
    )


class DeliveryForm(forms.Form):
    """The fields of each line still to come (`received_<id>`, `rejected_<id>`, `reason_<id>`),
    then the delivery's own."""

    received_on = forms.DateField(label=_("received on"), widget=DATE)
    batch = forms.CharField(label=_("batch"), max_length=100, required=False)
    certificates = forms.MultipleChoiceField(
        label=_("certificates"),
        required=False,
        choices=[(name, name) for name in USUAL_CERTIFICATES],
        widget=forms.CheckboxSelectMultiple,
    )
    shelf_life_until = forms.DateField(label=_("shelf life until"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, lines: list[OrderLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.fields["received_on"].initial = timezone.localdate()
        for line in lines:
            left = line.quantity - line.delivered_quantity
            self.fields[f"received_{line.pk}"] = _quantity(
                _("%(item)s: received (%(unit)s)") % {"item": line.description, "unit": line.unit},
                initial=left,
            )
            self.fields[f"rejected_{line.pk}"] = _quantity(
                _("%(item)s: rejected and sent back") % {"item": line.description},
                initial=Decimal(0),
                required=False,
            )
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label=_("%(item)s: why it was rejected") % {"item": line.description},
                max_length=500,
                required=False,
            )

    def line_fields(self) -> list[tuple[OrderLine, list[forms.BoundField]]]:
        return [
            (line, [self[f"{name}_{line.pk}"] for name in ("received", "rejected", "reason")])
            for line in self.lines
        ]

    def delivery_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in ("received_on", "batch", "certificates", "shelf_life_until", "note")
        ]


def _price(label: Any, **kwargs: Any) -> forms.DecimalField:
    kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=Decimal("0.01"), **kwargs
    )


class PlaceForm(forms.Form):
    """An order under one contract: the due date, and per item of its price list the quantity
    (`quantity_<item>`, empty: not ordered) with the contract's price as the page showed it
    (`price_<item>`, hidden), which the service checks against the contract's."""

    due_on = forms.DateField(label=_("delivery date"), widget=DATE)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, prices: list[ContractPrice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prices = prices
        self.fields["due_on"].initial = timezone.localdate() + timedelta(days=1)
        for price in prices:
            self.fields[f"quantity_{price.item_id}"] = _quantity(
                _("%(item)s: quantity (%(unit)s)")
                % {"item": price.item.name, "unit": price.item.unit},
                required=False,
            )
            self.fields[f"price_{price.item_id}"] = _price(
                _("%(item)s: unit price") % {"item": price.item.name},
                initial=price.unit_price,
                required=False,
                widget=forms.HiddenInput,
            )

    def price_fields(self) -> list[tuple[ContractPrice, forms.BoundField]]:
        return [(price, self[f"quantity_{price.item_id}"]) for price in self.prices]


class InvoiceForm(forms.Form):
    """A supplier's invoice for an order: its number, date and total, then per order line the
    quantity and unit price it bills (`quantity_<line>`, `price_<line>`; an empty quantity:
    not billed)."""

    number = forms.CharField(label=_("invoice number"), max_length=64)
    issued_on = forms.DateField(label=_("issued on"), widget=DATE)
    amount = _price(_("invoice total (CNY)"), max_value=Decimal("9999999999.99"))

    def __init__(self, *args: Any, lines: list[OrderLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.fields["issued_on"].initial = timezone.localdate()
        for line in lines:
            self.fields[f"quantity_{line.pk}"] = _quantity(
                _("%(item)s: quantity invoiced (%(unit)s)")
                % {"item": line.description, "unit": line.unit},
                required=False,
                initial=line.delivered_quantity - line.invoiced_quantity,
            )
            self.fields[f"price_{line.pk}"] = _price(
                _("%(item)s: unit price invoiced") % {"item": line.description},
                required=False,
                initial=line.unit_price,
            )

    def line_fields(self) -> list[tuple[OrderLine, forms.BoundField, forms.BoundField]]:
        return [
            (line, self[f"quantity_{line.pk}"], self[f"price_{line.pk}"]) for line in self.lines
        ]


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)
    reference = forms.CharField(label=_("payment reference"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


def _score(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class RatingForm(forms.Form):
    """The school's rating of a supplier it ordered from, for a month: once."""

    supplier = forms.TypedChoiceField(label=_("supplier"), coerce=int)
    month = MonthFormField(label=_("month"), widget=MONTH_INPUT)
    quality = _score(_("quality (0–100)"))
    punctuality = _score(_("punctuality (0–100)"))
    service = _score(_("service (0–100)"))
    comment = forms.CharField(
        label=_("comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, suppliers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = suppliers  # type: ignore[attr-defined]
        self.fields["month"].initial = f"{timezone.localdate():%Y-%m}"
