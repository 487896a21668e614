from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.filters import MonthInput


class SpendForm(forms.Form):
    """Which period the spend views cover: a month (the previous one when nothing is given), or
    a period of up to a year."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=MonthInput,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
