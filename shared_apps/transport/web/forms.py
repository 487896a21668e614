"""The transport officer's forms: the day a driver is checked on, a licence's approval step."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.transport.models import Driver, Vehicle
from shared_apps.transport.selectors import MAX_REPORT_DAYS

STEPS = [
    ("forward", _("Forward to public security and transport")),
    ("answer", _("Record their answer")),
    ("approve", _("Approve")),
    ("refuse", _("Refuse")),
]


class DayForm(forms.Form):
    on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=STEPS)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a refusal."),
    )

    def __init__(self, *args: Any, steps: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["step"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in STEPS if value in steps]


class FieldTripForm(forms.Form):
    """A school's field trip: where, why, the day and times, how many pupils and escorts."""

    destination = forms.CharField(label=_("Destination"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    leaves = forms.TimeField(label=_("Leaves at"), widget=forms.TimeInput(attrs={"type": "time"}))
    back = forms.TimeField(label=_("Back at"), widget=forms.TimeInput(attrs={"type": "time"}))
    pupils = forms.IntegerField(label=_("Pupils"), min_value=1, max_value=54)
    escorts = forms.IntegerField(label=_("Escorts"), min_value=1, max_value=4, initial=2)


DECISIONS = [("approve", _("Approve")), ("refuse", _("Refuse"))]


class TripDecisionForm(forms.Form):
    """Approve or refuse a field trip (a refusal with its reason); the district names the bus
    and the driver when it approves."""

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    vehicle = forms.ModelChoiceField(
        label=_("Vehicle"), queryset=Vehicle.objects.none(), required=False
    )
    driver = forms.ModelChoiceField(
        label=_("Driver"), queryset=Driver.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Required for a refusal."),
    )

    def __init__(
        self, *args: Any, vehicles: Any = None, drivers: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, rows in (("vehicle", vehicles), ("driver", drivers)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            if rows is None:
                del self.fields[name]
            else:
                field.queryset = rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "approve":
            for name in ("vehicle", "driver"):
                if name in self.fields and not data.get(name):
                    self.add_error(name, _("Name the bus and the driver."))
        elif not (data.get("reason") or "").strip():
            self.add_error("reason", _("A refusal gives its reason."))
        return data


class SpanForm(forms.Form):
    """The days a report covers."""

    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and not 0 <= (end - start).days < MAX_REPORT_DAYS:
            self.add_error("date_to", _("From a first day to a last day, at most a year apart."))
        return data
