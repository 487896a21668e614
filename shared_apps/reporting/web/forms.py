from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.filters import MonthInput


class StatementForm(forms.Form):
    """Which month's statement (the previous month when none is named)."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=MonthInput,
    )
