"""The transport officer's forms: the day a driver is checked on, a licence's approval step."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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
