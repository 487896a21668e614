import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared_apps.standards.models import AgeBand, Meal


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


class PlanCreateForm(forms.Form):
    week_start = forms.DateField(
        label=_("Week starting (Monday)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=next_monday,
    )
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class EntryForm(forms.Form):
    """Add a recipe to one meal of one day, or take one off."""

    weekday = forms.IntegerField(min_value=1, max_value=7, widget=forms.HiddenInput)
    meal = forms.ChoiceField(choices=Meal.choices, widget=forms.HiddenInput)
    recipe = forms.IntegerField(label=_("Recipe"), min_value=1)
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)
