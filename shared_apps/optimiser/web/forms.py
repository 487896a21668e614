"""The forms of the optimiser's pages: asking for a proposal (the service's rules, with its
defaults filled in), changing, adding and removing a dish, publishing, and the day and band of
the recipes' costs. They only parse: the services say what is refused, next to the field."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from shared_apps.optimiser.rules import SCHOOL_DAYS, Rules
from shared_apps.standards.models import (
    HUNDRED_PCT,
    PORTION_MAX_PCT,
    PORTION_MIN_PCT,
    AgeBand,
    Allergen,
    Course,
    Meal,
)
from shared_apps.subsidies.selectors import programme_active_list

DEFAULTS = Rules()
DAY_CHOICES = [(day, WEEKDAYS[day - 1]) for day in range(1, 8)]


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def _portion(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Portion, in per cent of the recipe's serving"),
        min_value=PORTION_MIN_PCT,
        max_value=PORTION_MAX_PCT,
        max_digits=8,
        decimal_places=4,
        **kwargs,
    )


class ProposalRequestForm(forms.Form):
    week_start = forms.DateField(
        label=_("Week starting (Monday)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=next_monday,
    )
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    meals = forms.MultipleChoiceField(
        label=_("Meals to serve"),
        choices=Meal.choices,
        initial=[Meal.LUNCH],
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Weekdays served"),
        choices=DAY_CHOICES,
        coerce=int,
        initial=list(SCHOOL_DAYS),
        widget=forms.CheckboxSelectMultiple,
    )
    repeatable = forms.MultipleChoiceField(
        label=_("Courses that may repeat in the week"),
        choices=Course.choices,
        initial=list(DEFAULTS.repeatable),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Any other dish is served at most once a week."),
    )
    max_deep_fried = forms.IntegerField(
        label=_("Deep-fried dishes in the week, at most"),
        min_value=0,
        max_value=50,
        initial=DEFAULTS.max_deep_fried,
    )
    exclude_allergens = forms.MultipleChoiceField(
        label=_("Allergens excluded"),
        choices=Allergen.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    programme = forms.ChoiceField(
        label=_("Budget per meal from the subsidy programme"),
        required=False,
        initial=DEFAULTS.programme,
    )
    budget_addition = forms.DecimalField(
        label=_("What the school adds per meal (yuan)"),
        min_value=Decimal(0),
        max_value=Decimal(1000),
        max_digits=7,
        decimal_places=2,
        initial=DEFAULTS.budget_addition,
    )
    daily_energy = forms.BooleanField(
        label=_("Hold each day's energy to the standard, not only the week's average"),
        required=False,
        initial=DEFAULTS.daily_energy,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ChoiceField)
        programme.choices = [
            ("", _("No budget")),
            *(
                (
                    p.code,
                    _("%(name)s (%(rate)s yuan a day)") % {"name": p.name, "rate": p.daily_rate},
                )
                for p in programme_active_list().order_by("name")
            ),
        ]

    def rules(self) -> Rules:
        return Rules.from_dict(self.cleaned_data)


class EntryChangeForm(forms.Form):
    """Another recipe in a dish's place, or the same at another portion."""

    recipe = forms.IntegerField(label=_("Dish"), min_value=1, required=False)
    portion_pct = _portion(required=False)


class EntryAddForm(forms.Form):
    """One more dish at a meal of a day."""

    weekday = forms.IntegerField(min_value=1, max_value=7, widget=forms.HiddenInput)
    meal = forms.ChoiceField(choices=Meal.choices, widget=forms.HiddenInput)
    recipe = forms.IntegerField(label=_("Dish"), min_value=1)
    portion_pct = _portion(initial=HUNDRED_PCT, required=False)


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Title of the plan"), max_length=200, required=False)


class RecipeCostForm(forms.Form):
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    on = forms.DateField(
        label=_("Prices on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
        required=False,
    )
