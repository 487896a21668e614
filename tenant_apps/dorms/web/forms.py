from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.dorms.models import Bed
from tenant_apps.people.models import Student


class DecideForm(forms.Form):
    """The dorm manager's decision on a leave."""

    approve = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("approve")), ("0", _("reject"))],
        coerce=lambda value: value == "1",
    )


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
REFUSAL_HELP = _("Needed when you refuse: the asker reads it.")


def pupil_field(pupils: Iterable[Student]) -> forms.TypedChoiceField:
    """A choice of `pupils` (a class teacher's boarders), by id."""
    return forms.TypedChoiceField(
        label=_("pupil"),
        coerce=int,
        choices=[(p.pk, f"{p.name} · {p.grade}/{p.class_name}") for p in pupils],
    )


class RoomChangeAskForm(forms.Form):
    """A room change asked for: by the pupil for themselves, or by their class teacher."""

    reason = forms.CharField(label=_("why"), max_length=200, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args: Any, pupils: Iterable[Student] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pupils is not None:
            self.fields = {"student": pupil_field(pupils), **self.fields}


class BedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        room = obj.room
        return f"{room.floor.building.name} {room.number} · {obj.number} ({room.get_sex_display()})"


class RoomChangeReviewForm(forms.Form):
    """The dorm manager's review: the bed and the day, or why not."""

    approve = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("pass on for approval")), ("0", _("refuse"))],
        coerce=lambda value: value == "1",
    )
    bed = BedChoiceField(label=_("bed"), queryset=Bed.objects.none(), required=False)
    move_on = forms.DateField(label=_("move on"), widget=DATE, required=False)
    refusal = forms.CharField(
        label=_("why refused"), max_length=200, required=False, help_text=REFUSAL_HELP
    )

    def __init__(self, *args: Any, beds: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bed_field = self.fields["bed"]
        assert isinstance(bed_field, BedChoiceField)
        bed_field.queryset = beds if beds is not None else Bed.objects.none()


class RoomChangeDecideForm(forms.Form):
    """The logistics director's decision on a reviewed room change."""

    approve = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("approve")), ("0", _("refuse"))],
        coerce=lambda value: value == "1",
    )
    refusal = forms.CharField(
        label=_("why refused"), max_length=200, required=False, help_text=REFUSAL_HELP
    )


class LeaveAskForm(forms.Form):
    """A leave a class teacher asks for, for a pupil of their class."""

    reason = forms.CharField(label=_("reason"), max_length=200)
    starts_at = forms.DateTimeField(label=_("from"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("until"), widget=DATETIME)

    def __init__(self, *args: Any, pupils: Iterable[Student] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"student": pupil_field(pupils), **self.fields}
