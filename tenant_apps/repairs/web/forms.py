"""The repair desk's forms: what a person types on a phone, parsed and bounded; the rules are the
services'. A field is named as the service's argument where the service's refusals name it, so
that a refusal shows next to the field."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import User
from tenant_apps.assets import classification
from tenant_apps.assets.models import Room
from tenant_apps.repairs import categories
from tenant_apps.repairs.models import MaintenancePlan, RepairPhoto, RepairRequest, Team

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MATERIAL_ROWS = 3


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        **kwargs,
    )


def _text(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": rows})
    )


def category_choices() -> list[tuple[Any, Any]]:
    """The faults grouped under their group, for a select with optgroups."""
    grouped: dict[str, list[tuple[str, Any]]] = {}
    for code, name in categories.FAULTS.items():
        grouped.setdefault(categories.group_of(code), []).append((code, name))
    return [("", "---------")] + [
        (categories.GROUPS[group], faults) for group, faults in grouped.items()
    ]


class RoomField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}".strip()


class ReportForm(forms.Form):
    """A fault in one room: the room (grouped by building), the fault, how urgent, what is wrong,
    and a photo if one was taken."""

    room = RoomField(label=_("room"), queryset=Room.objects.none())
    category = forms.ChoiceField(label=_("fault"), choices=category_choices)
    urgency = forms.ChoiceField(
        label=_("urgency"),
        choices=RepairRequest.Urgency.choices,
        initial=RepairRequest.Urgency.GENERAL,
    )
    description = _text(_("what is wrong"))
    image = forms.FileField(
        label=_("photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, rooms: QuerySet[Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["room"]
        assert isinstance(field, RoomField)
        field.queryset = rooms
        grouped: dict[str, list[tuple[int, str]]] = {}
        for room in rooms:
            grouped.setdefault(room.building.name, []).append(
                (room.pk, field.label_from_instance(room))
            )
        field.choices = [("", "---------"), *grouped.items()]


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    kind = forms.ChoiceField(choices=RepairPhoto.Kind.choices, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    """Cancel, hand back or reopen: the reason (the service says when it must be given)."""

    reason = _text(_("reason"), required=False)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("rating"),
        coerce=int,
        choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")],
        widget=forms.RadioSelect,
        initial=5,
    )
    comment = _text(_("comment"), required=False, rows=2)


class TechnicianField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class DispatchForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    technician = TechnicianField(
        label=_("technician (optional)"), queryset=User.objects.none(), required=False
    )
    note = _text(_("note"), required=False, rows=2)

    def __init__(
        self, *args: Any, teams: Iterable[Team], technicians: Iterable[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["technician"].queryset = technicians  # type: ignore[attr-defined]


class ExtendForm(forms.Form):
    finish_due = forms.DateTimeField(
        label=_("new deadline"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    reason = _text(_("reason"), required=False, rows=2)


class ApproveForm(forms.Form):
    approval = _text(_("written approval"), required=False)


class AcceptForm(forms.Form):
    estimated_cost = _money(_("estimated cost (CNY, optional)"), required=False)


class StartForm(forms.Form):
    """Nothing to type: the technician says they are on site."""


class CompleteForm(forms.Form):
    """What was done, the labour and up to MATERIAL_ROWS materials (rows left blank are
    skipped)."""

    ROW = ("description", "quantity", "unit", "unit_cost")

    note = _text(_("what was done"), required=False)
    labour_cost = _money(_("labour (CNY)"), initial=Decimal("0.00"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(MATERIAL_ROWS):
            self.fields[f"m{row}_description"] = forms.CharField(
                label=_("material %(n)d") % {"n": row + 1}, max_length=200, required=False
            )
            self.fields[f"m{row}_quantity"] = forms.DecimalField(
                label=_("quantity"),
                max_digits=12,
                decimal_places=3,
                min_value=Decimal("0.001"),
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            )
            self.fields[f"m{row}_unit"] = forms.CharField(
                label=_("unit"), max_length=16, required=False
            )
            self.fields[f"m{row}_unit_cost"] = _money(_("unit cost (CNY)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rows = []
        for row in range(MATERIAL_ROWS):
            values = [data.get(f"m{row}_{name}") for name in self.ROW]
            if not any(v not in (None, "") for v in values):
                continue
            for name, value in zip(self.ROW, values, strict=True):
                if value in (None, ""):
                    self.add_error(f"m{row}_{name}", _("Required."))
            rows.append(dict(zip(self.ROW, values, strict=True)))
        data["materials"] = rows
        return data


# The director's desk configuration -------------------------------------------------------------

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PolicyForm(forms.Form):
    """The school's working hours and the estimate above which work is major."""

    opens_at = forms.TimeField(label=_("working hours begin"), widget=TIME)
    closes_at = forms.TimeField(label=_("working hours end"), widget=TIME)
    major_work_threshold = _money(_("major work above (CNY)"))


class SupplierField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class TeamForm(forms.Form):
    """A new team: its name, in-house or a provider (naming the district's supplier it is, if
    one), and its technicians."""

    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=Team.Kind.choices)
    supplier = SupplierField(
        label=_("district supplier (providers only, optional)"),
        queryset=Team.objects.none(),
        required=False,
    )
    members = MembersField(
        label=_("technicians"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, suppliers: QuerySet[Any], technicians: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]
        self.fields["members"].queryset = technicians  # type: ignore[attr-defined]


class TeamEditForm(forms.Form):
    """A team's technicians, and whether it still takes work."""

    members = MembersField(
        label=_("technicians"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(
        label=_("takes work (untick to stand the team down)"), required=False
    )

    def __init__(self, *args: Any, technicians: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = technicians  # type: ignore[attr-defined]


class BuildingField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}".strip()


def rule_choices() -> list[tuple[Any, Any]]:
    """The fault groups first (a rule for a whole group), then the faults under their group."""
    groups = [(code, name) for code, name in categories.GROUPS.items()]
    return [(_("Fault groups"), groups), *category_choices()[1:]]


class RuleForm(forms.Form):
    category = forms.ChoiceField(label=_("fault or fault group"), choices=rule_choices)
    building = BuildingField(
        label=_("building (empty: anywhere)"), queryset=Team.objects.none(), required=False
    )
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())

    def __init__(
        self, *args: Any, buildings: QuerySet[Any], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class ConfirmDeleteForm(forms.Form):
    """Nothing to type: the director confirms."""


class ScorecardForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    month = forms.CharField(
        label=_("month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    department_score = forms.DecimalField(
        label=_("department's score (0–100)"),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    note = _text(_("note"), required=False, rows=2)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class AssetField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.name}"


class PlanForm(forms.Form):
    """A maintenance plan for one asset or one asset category, by the calendar or a meter."""

    name = forms.CharField(label=_("name"), max_length=200)
    asset = AssetField(
        label=_("asset (or a category below)"), queryset=Team.objects.none(), required=False
    )
    asset_category = forms.ChoiceField(
        label=_("asset category (or an asset above)"),
        choices=[("", "---------"), *classification.CHOICES],
        required=False,
    )
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    category = forms.ChoiceField(label=_("fault category"), choices=category_choices)
    every = forms.IntegerField(label=_("every"), min_value=1, max_value=100000)
    unit = forms.ChoiceField(label=_("unit"), choices=MaintenancePlan.Unit.choices)
    next_due = forms.DateField(
        label=_("next due (calendar plans)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    lead_days = forms.IntegerField(
        label=_("raised days ahead"), min_value=0, max_value=365, initial=7
    )
    next_meter = forms.DecimalField(
        label=_("next due at reading (meter plans)"),
        required=False,
        max_digits=12,
        decimal_places=1,
        min_value=Decimal("0"),
    )
    checklist = _text(_("inspection checklist (one item a line)"), required=False)

    def __init__(
        self, *args: Any, assets: QuerySet[Any], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = assets  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]

    def clean_checklist(self) -> list[str]:
        text = self.cleaned_data["checklist"]
        return [line.strip() for line in text.splitlines() if line.strip()]


class MeterForm(forms.Form):
    reading = forms.DecimalField(
        label=_("meter reading"),
        max_digits=12,
        decimal_places=1,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
