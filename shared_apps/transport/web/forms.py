"""The transport officer's forms: the day a driver is checked on, a licence's approval step."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.transport.models import Driver, Route, Stop, Vehicle
from shared_apps.transport.selectors import MAX_REPORT_DAYS
from tenants.models import School

# A date input holds its value in ISO form, whatever the language shows.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

STEPS = [
    ("forward", _("Forward to public security and transport")),
    ("answer", _("Record their answer")),
    ("approve", _("Approve")),
    ("refuse", _("Refuse")),
]


class DayForm(forms.Form):
    on = forms.DateField(label=_("Day"), widget=DATE)


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
    day = forms.DateField(label=_("Day"), widget=DATE)
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


WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class RouteVersionForm(forms.Form):
    """A new version of a route: the weekdays and dates it runs, and each of the route's stops
    kept at its place in the order (left blank: not kept) and its time."""

    weekdays = forms.MultipleChoiceField(
        label=_("Runs on"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args: Any, stops: list[Stop], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stops = stops
        for stop in stops:
            self.fields[f"order_{stop.pk}"] = forms.IntegerField(
                label=_("%(stop)s: order") % {"stop": stop.name},
                min_value=1,
                max_value=len(stops),
                required=False,
                initial=stop.order,
            )
            self.fields[f"at_{stop.pk}"] = forms.TimeField(
                label=_("%(stop)s: time") % {"stop": stop.name},
                required=False,
                initial=stop.at,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kept: dict[int, tuple[Stop, Any]] = {}
        for stop in self.stops:
            order, at = data.get(f"order_{stop.pk}"), data.get(f"at_{stop.pk}")
            if order is None:
                continue
            if at is None:
                self.add_error(f"at_{stop.pk}", _("A kept stop has its time."))
            elif order in kept:
                self.add_error(f"order_{stop.pk}", _("Two stops cannot share a place."))
            else:
                kept[order] = (stop, at)
        if not kept and not self.errors:
            self.add_error(None, _("A route has at least one stop."))
        data["kept"] = [kept[order] for order in sorted(kept)]
        return data


class SpanForm(forms.Form):
    """The days a report covers."""

    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and not 0 <= (end - start).days < MAX_REPORT_DAYS:
            self.add_error("date_to", _("From a first day to a last day, at most a year apart."))
        return data


def _places(text: str) -> list[tuple[str, float, float]]:
    """Lines of `key, latitude, longitude` (commas or tabs, as pasted from a spreadsheet)."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.replace("\t", ",").replace("，", ",").split(",")]
        try:
            key, lat, lon = cells
            rows.append((key, float(lat), float(lon)))
        except ValueError:
            raise forms.ValidationError(
                _("Line %(number)s: write a name, a latitude and a longitude."),
                params={"number": number},
            ) from None
        if not key:
            raise forms.ValidationError(
                _("Line %(number)s: write a name, a latitude and a longitude."),
                params={"number": number},
            )
    if len({key for key, _lat, _lon in rows}) != len(rows):
        raise forms.ValidationError(_("Each line has a name of its own."))
    return rows


class PlanForm(forms.Form):
    """What the planner needs for one school's morning routes."""

    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())
    school_latitude = forms.FloatField(label=_("School's latitude"), min_value=-90, max_value=90)
    school_longitude = forms.FloatField(
        label=_("School's longitude"), min_value=-180, max_value=180
    )
    riders = forms.CharField(
        label=_("Riders' homes"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One a line: the student's number, latitude, longitude."),
    )
    stops = forms.CharField(
        label=_("Candidate stops"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One a line: the stop's number on a route (kept approved) or a new stop's name, "
            "latitude, longitude."
        ),
    )
    vehicles = forms.ModelMultipleChoiceField(
        label=_("Buses"), queryset=Vehicle.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    latest_arrival = forms.TimeField(
        label=_("Latest arrival at school"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    max_ride_min = forms.IntegerField(
        label=_("Longest ride (minutes)"), min_value=10, max_value=180, initial=60
    )
    max_walk_m = forms.IntegerField(
        label=_("Longest walk to a stop (m)"), min_value=100, max_value=5000, initial=1500
    )

    def __init__(self, *args: Any, schools: Any, vehicles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, rows in (("school", schools), ("vehicles", vehicles)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = rows

    def clean_riders(self) -> list[tuple[str, float, float]]:
        return _places(self.cleaned_data["riders"])

    def clean_stops(self) -> list[tuple[str, float, float]]:
        return _places(self.cleaned_data["stops"])


class AdoptForm(forms.Form):
    """Adopt a plan: each bus as a new version of one of the school's morning routes, or as a
    new route numbered from the code."""

    code = forms.CharField(
        label=_("Code of the new routes"),
        max_length=16,
        required=False,
        help_text=_("The new routes are numbered from it: R7 gives R7-1, R7-2…"),
    )

    def __init__(
        self,
        *args: Any,
        plates: Sequence[str] = (),
        routes: Sequence[Route] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.routes = {route.pk: route for route in routes}
        choices = [("", _("A new route")), *((r.pk, f"{r.code} {r.name}") for r in routes)]
        for n, plate in enumerate(plates, 1):
            self.fields[f"version_of_{n}"] = forms.TypedChoiceField(
                label=_("Bus %(n)s (%(plate)s) becomes") % {"n": n, "plate": plate},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def versions_of(self) -> dict[int, Route]:
        """The buses that become a new version of a route, by their number."""
        return {
            int(name.rsplit("_", 1)[1]): self.routes[pk]
            for name, pk in self.cleaned_data.items()
            if name.startswith("version_of_") and pk is not None
        }
