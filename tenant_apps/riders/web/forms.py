from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import User
from shared_apps.transport.models import Driver, Vehicle
from tenant_apps.riders.models import CheckItem, Drill, Incident, Passage, Trip


class CheckForm(forms.Form):
    """The pre-trip check on one screen: each item passed or not, the heads counted."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for item in CheckItem.Item:
            self.fields[item.value] = forms.BooleanField(label=item.label, required=False)
        self.fields["count"] = forms.IntegerField(
            label=_("heads on board"), min_value=0, max_value=100
        )


class PassageForm(forms.Form):
    """One rider ticked on or off the bus at their stop."""

    rider = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=Passage.Kind.choices)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _choose(field: forms.Field, rows: Any) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = rows


class TripChoiceField(forms.ModelChoiceField):
    """A trip shown by its route, bus and departure (the annotations of `trip_list`)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.route} {obj.plate} {timezone.localtime(obj.starts_at):%m-%d %H:%M}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class ReportForm(forms.Form):
    """An incident on the run, as its escort reports it on the phone."""

    kind = forms.ChoiceField(label=_("kind"), choices=Incident.Kind.choices)
    occurred_at = forms.DateTimeField(label=_("occurred at"), widget=DATETIME)
    description = forms.CharField(
        label=_("what happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class IncidentForm(ReportForm):
    """An incident on a recent trip of the school's, or (no trip) on a bus of its routes."""

    trip = TripChoiceField(
        label=_("trip"), queryset=Trip.objects.none(), required=False, empty_label=_("No trip")
    )
    vehicle = forms.ModelChoiceField(
        label=_("bus (when there is no trip)"),
        queryset=Vehicle.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, trips: Any, vehicles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self.fields["trip"], trips)
        _choose(self.fields["vehicle"], vehicles)


class StepForm(forms.Form):
    """One step of an incident recorded as done at a time."""

    step = forms.ChoiceField(choices=Incident.Step.choices, widget=forms.HiddenInput)
    at = forms.DateTimeField(label=_("done at"), widget=DATETIME)


class IncidentCloseForm(forms.Form):
    summary = forms.CharField(
        label=_("summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class TerminalForm(forms.Form):
    device = forms.CharField(
        label=_("device"),
        max_length=64,
        help_text=_("The name the terminal reports as, e.g. the bus plate and door."),
    )


class DrillForm(forms.Form):
    day = forms.DateField(label=_("date"), widget=DATE)
    kind = forms.ChoiceField(label=_("kind"), choices=Drill.Kind.choices)
    vehicle = forms.ModelChoiceField(
        label=_("bus"), queryset=Vehicle.objects.none(), required=False, empty_label="—"
    )
    participants = forms.IntegerField(label=_("participants"), min_value=1, max_value=1000)
    notes = forms.CharField(
        label=_("notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, vehicles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self.fields["vehicle"], vehicles)


class TrainingForm(forms.Form):
    """One person's training: a driver on the school's routes, or one of its bus escorts."""

    day = forms.DateField(label=_("date"), widget=DATE)
    driver = forms.ModelChoiceField(
        label=_("bus driver"), queryset=Driver.objects.none(), required=False, empty_label="—"
    )
    user = PersonChoiceField(
        label=_("bus escort"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    topic = forms.CharField(label=_("topic"), max_length=200)
    hours = forms.DecimalField(
        label=_("hours"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal(24),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    trainer = forms.CharField(label=_("trainer"), max_length=100)

    def __init__(self, *args: Any, drivers: Any, escorts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self.fields["driver"], drivers)
        _choose(self.fields["user"], escorts)
