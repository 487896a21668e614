"""Receiving an order's delivery: per line what came and what was sent back, and for food the
papers of the inbound inspection (进货查验)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.canteen.models import USUAL_CERTIFICATES
from tenant_apps.orders.models import OrderLine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
