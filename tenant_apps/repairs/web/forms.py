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
from tenant_apps.assets.models import Room
from tenant_apps.repairs import categories
from tenant_apps.repairs.models import RepairPhoto, RepairRequest, Team

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
