from django import forms
from django.utils.translation import gettext_lazy as _


class DecideForm(forms.Form):
    """The dorm manager's decision on a leave."""

    approve = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("approve")), ("0", _("reject"))],
        coerce=lambda value: value == "1",
    )
