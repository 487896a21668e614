"""The property's forms: what the asset keeper, the principal and the finance officer type,
parsed and bounded; the rules are the services'. Fields are named as the services' arguments, so
that a refusal naming one is shown next to it."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.assets import classification
from tenant_apps.assets.models import Asset, AssetMove, Building, Disposal, Room

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _rooms(field: forms.Field, rooms: Any) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = rooms


def _room_label(room: Room) -> str:
    return f"{room.building.name} {room.code}{f' {room.name}' if room.name else ''}"


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _room_label(obj)


class RoomsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _room_label(obj)


class AssetForm(forms.Form):
    """An asset to register. The number is not named `number`: the service's refusal of a number
    in use names the number itself, and is said above the form."""

    asset_number = forms.CharField(label=_("asset number"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=classification.CHOICES)
    specification = forms.CharField(
        label=_("model and specification"), max_length=200, required=False
    )
    cost = forms.DecimalField(
        label=_("original cost (CNY)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    acquired_on = forms.DateField(label=_("acquired on"), widget=DATE)
    funding = forms.ChoiceField(label=_("funding source"), choices=Asset.Funding.choices)
    custodian = forms.CharField(label=_("custodian (username)"), max_length=150, required=False)
    room = RoomChoiceField(
        label=_("room"), queryset=Room.objects.none(), required=False, empty_label=_("No room")
    )

    def __init__(self, *args: Any, rooms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rooms(self.fields["room"], rooms)


class MoveForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind of move"),
        choices=[
            (AssetMove.Kind.TRANSFER, AssetMove.Kind.TRANSFER.label),
            (AssetMove.Kind.LOAN, AssetMove.Kind.LOAN.label),
            (AssetMove.Kind.RETURN, AssetMove.Kind.RETURN.label),
        ],
    )
    custodian = forms.CharField(
        label=_("new custodian or borrower (username)"), max_length=150, required=False
    )
    room = RoomChoiceField(
        label=_("new room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("Unchanged"),
    )
    due_back = forms.DateField(label=_("due back (a loan)"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, rooms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rooms(self.fields["room"], rooms)


class DisposalForm(forms.Form):
    method = forms.ChoiceField(label=_("method"), choices=Disposal.Method.choices)
    reason = forms.CharField(
        label=_("reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label=_("evidence (appraisal, photos, documents)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BuildingForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=100)


class RoomForm(forms.Form):
    building = forms.ModelChoiceField(label=_("building"), queryset=Building.objects.none())
    code = forms.CharField(label=_("room number"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("kind of space"), choices=Room.Kind.choices)

    def __init__(self, *args: Any, buildings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["building"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = buildings


class StockTakeForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    full = forms.BooleanField(label=_("full count (every room)"), required=False)
    rooms = RoomsChoiceField(
        label=_("rooms to count"),
        queryset=Room.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, rooms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rooms(self.fields["rooms"], rooms)


class ScanForm(forms.Form):
    """One label, typed or scanned (a scanner types it and presses Enter), in one room."""

    room = RoomChoiceField(label=_("room"), queryset=Room.objects.none(), empty_label=None)
    code = forms.CharField(
        label=_("label"),
        max_length=80,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "enterkeyhint": "done"}
        ),
    )

    def __init__(self, *args: Any, rooms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rooms(self.fields["room"], rooms)


class ConfirmForm(forms.Form):
    """An irreversible act with nothing to type: the button says it."""


class AssignForm(forms.Form):
    username = forms.CharField(label=_("assign to (username)"), max_length=150)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("resolution"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    relocate = forms.BooleanField(
        label=_("move the asset to the room it was found in"), required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for rejecting"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReconciliationForm(forms.Form):
    on = forms.DateField(label=_("as of"), widget=DATE, required=False)
