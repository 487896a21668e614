"""The canteen's forms: what a person types, parsed and bounded; the rules are the services'.

A field is named as the service's argument when the service's refusals name it with a message,
and otherwise (where a refusal names the value given) differently, so that the refusal's message
is shown above the form rather than the bare value next to the field."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared_apps.standards.models import AgeBand
from tenant_apps.canteen.models import USUAL_CERTIFICATES, ColdStorageReading, Meal, Menu

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        **kwargs,
    )


class PlanFilterForm(forms.Form):
    age_band = forms.ChoiceField(
        label=_("age band"),
        required=False,
        choices=[("", _("All age bands")), *AgeBand.choices],
    )


class AdoptForm(forms.Form):
    """Adopt one of the district's published plans (its id)."""

    plan = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)


class MenuChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        title = f" {obj.title}" if obj.title else ""
        return f"{obj.start_date:%m-%d}–{obj.end_date:%m-%d} {obj.age_band}{title}"


class SessionOpenForm(forms.Form):
    day = forms.DateField(label=_("date"), widget=DATE)
    meal = forms.ChoiceField(label=_("meal"), choices=Meal.choices)
    menu = MenuChoiceField(
        label=_("menu"),
        queryset=Menu.objects.none(),
        required=False,
        empty_label=_("No menu"),
    )
    ingredient_cost = _money(_("ingredient cost (CNY)"), initial=Decimal("0.00"))
    teachers_shared = forms.BooleanField(label=_("teachers shared the meal"), required=False)

    def __init__(self, *args: Any, menus: Iterable[Menu], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["menu"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = menus  # type: ignore[assignment]


class SessionCostForm(forms.Form):
    ingredient_cost = _money(_("ingredient cost (CNY)"))
    teachers_shared = forms.BooleanField(label=_("teachers shared the meal"), required=False)


class RosterForm(forms.Form):
    """Students of one class ticked as having eaten; or the whole class at once."""

    student = forms.TypedMultipleChoiceField(
        label=_("Students"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    whole_class = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, waiting: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["student"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(waiting)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if not data.get("whole_class") and not data.get("student"):
            raise forms.ValidationError(_("Tick the students who ate, or take the whole class."))
        return data


class CardForm(forms.Form):
    card = forms.CharField(
        label=_("Card or student number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "enterkeyhint": "done"}
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("The terminal's export"),
        help_text=_(
            "A .csv or .xlsx file whose first row names the columns: 学号 (or 卡号), and, when "
            "the terminal writes them, 姓名 and 刷卡时间."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class SampleForm(forms.Form):
    dish = forms.CharField(label=_("dish"), max_length=100)
    weight = forms.DecimalField(
        label=_("weight (g)"),
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("5000"),
        initial=Decimal("125"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    taken = forms.DateTimeField(label=_("taken at"), widget=DATETIME)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken"].initial = timezone.localtime().replace(second=0, microsecond=0)


class AccompanyForm(forms.Form):
    comments = forms.CharField(
        label=_("What you found"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Taste, portions, temperature, hygiene: what parents would want to know."),
    )


class ColdReadingForm(forms.Form):
    unit = forms.CharField(
        label=_("Refrigerator or freezer"),
        max_length=100,
        help_text=_("Its name, e.g. 1号冷藏柜."),
        widget=forms.TextInput(attrs={"list": "cold-units"}),
    )
    unit_type = forms.ChoiceField(
        label=_("type of unit"), choices=ColdStorageReading.UnitType.choices
    )
    temperature = forms.DecimalField(
        label=_("temperature (°C)"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("-60"),
        max_value=Decimal("60"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )


class LinesField(forms.CharField):
    """What was delivered, one line each: the item, the quantity and the unit, e.g. "大米 50 kg"."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        lines = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 3:
                raise forms.ValidationError(
                    _("Line %(number)d: write the item, the quantity and the unit."),
                    params={"number": number},
                )
            *item, quantity, unit = parts
            try:
                amount = Decimal(quantity)
            except ArithmeticError:
                amount = Decimal(0)
            if not amount.is_finite() or amount <= 0 or amount >= 10**9:
                raise forms.ValidationError(
                    _("Line %(number)d: %(quantity)s is not a quantity."),
                    params={"number": number, "quantity": quantity},
                )
            lines.append({"item": " ".join(item)[:100], "quantity": str(amount), "unit": unit[:16]})
        return lines


class InspectionForm(forms.Form):
    supplier_name = forms.CharField(label=_("supplier"), max_length=200)
    batch = forms.CharField(label=_("batch"), max_length=100)
    received = forms.DateField(label=_("received on"), widget=DATE)
    shelf_life_until = forms.DateField(label=_("shelf life until"), widget=DATE)
    certificates = forms.MultipleChoiceField(
        label=_("certificates"),
        required=False,
        choices=[(name, name) for name in USUAL_CERTIFICATES],
        widget=forms.CheckboxSelectMultiple,
    )
    other_certificates = forms.CharField(
        label=_("Other certificates seen"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas."),
    )
    lines = LinesField(
        label=_("items and quantities"),
        help_text=_("One line each: item, quantity, unit, e.g. 大米 50 kg."),
    )
    accepted = forms.BooleanField(label=_("accepted"), required=False, initial=True)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received"].initial = timezone.localdate()

    def certificates_seen(self) -> list[str]:
        typed = self.cleaned_data["other_certificates"].replace("，", ",").split(",")
        return [*self.cleaned_data["certificates"], *(c.strip() for c in typed if c.strip())]
