from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.riders.models import CheckItem, Passage


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
