"""The school canteen: menus (adopted from the district's standard meal plans or the school's own),
meal sessions per school day, real-name servings (实名制就餐), and the food-safety records: leaders'
accompanied meals (陪餐), food samples (留样), inbound inspections (进货查验) and cold-storage
temperatures.

Recipes and plans live in the public schema; a menu copies what it needs from them (ids, names,
quantities, nutrients) instead of holding a foreign key, so the district can revise its catalogue
without reaching into a school's rows.

School days come from the school's calendar: its terms (学期), the holidays inside them (节假日)
and the weekend days worked instead (调休上班); see `selectors.school_days_between` for the rule,
and for what holds before the school's first recorded term.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from tenant_apps.people.models import Student


class Meal(models.TextChoices):
    """A meal served at school (the same values as the district's plans)."""

    BREAKFAST = "breakfast", _("breakfast")
    LUNCH = "lunch", _("lunch")
    DINNER = "dinner", _("dinner")


class DateRange(Func):
    """The days from one date column to another, both ends included."""

    function = "daterange"
    output_field = DateRangeField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(start), F(end), Value("[]"))


class SchoolTerm(models.Model):
    """A term (学期) of one school year in this school's calendar. Terms never overlap."""

    school_year = models.PositiveSmallIntegerField(_("school year (the year it begins)"))
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="canteen_term_dates_ordered"
            ),
            ExclusionConstraint(
                name="canteen_term_no_overlap",
                expressions=[(DateRange("start_date", "end_date"), RangeOperators.OVERLAPS)],
            ),
            models.UniqueConstraint(
                fields=["school_year", "name"], name="canteen_term_name_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date}–{self.end_date})"


class CalendarDay(models.Model):
    """A day on which this school's calendar departs from its week: a holiday (节假日), with no
    classes and no meals, or a Saturday or Sunday worked as a school day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        MAKE_UP_DAY = "make_up_day", _("make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=11, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # The term the day falls in; empty only for holidays kept from before the calendar, until a
    # term that covers them is recorded.
    term = models.ForeignKey(
        SchoolTerm, on_delete=models.CASCADE, null=True, blank=True, related_name="days"
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            # Django counts week days from Sunday (1) to Saturday (7).
            models.CheckConstraint(
                condition=Q(kind="holiday")
                | Q(kind="make_up_day", date__week_day__in=[1, 7], term__isnull=False),
                name="canteen_calendarday_make_up_on_a_weekend_in_a_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Menu(models.Model):
    """What the canteen serves over a period for one age band: a district plan adopted (with the
    plan's id and version copied) or the school's own menu, checked against the same targets."""

    class Origin(models.TextChoices):
        PLAN = "plan", _("district standard meal plan")
        OWN = "own", _("school's own menu")

    class Status(models.TextChoices):
        ACTIVE = "active", _("in force")
        WITHDRAWN = "withdrawn", _("withdrawn")

    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    age_band = models.CharField(_("age band"), max_length=5)
    title = models.CharField(_("title"), max_length=200, blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    plan_id = models.BigIntegerField(_("district plan id"), null=True, blank=True)
    plan_version = models.PositiveIntegerField(_("district plan version"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # The nutrient check the menu was adopted or created with (meets_standard, flags, menus).
    report = models.JSONField(_("nutrient check"), default=dict, encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        ordering = ["-start_date", "age_band", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="canteen_menu_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(origin="plan", plan_id__isnull=False, plan_version__isnull=False)
                | Q(origin="own", plan_id__isnull=True, plan_version__isnull=True),
                name="canteen_menu_origin_consistent",
            ),
            models.UniqueConstraint(
                fields=["start_date", "age_band"],
                condition=Q(status="active"),
                name="canteen_menu_one_active_per_start_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date} {self.age_band} ({self.origin})"


class MenuItem(models.Model):
    """One dish served at one meal on one day of a menu, with its recipe and nutrients as they
    were when the menu was made."""

    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="items", db_index=False)
    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=9, choices=Meal.choices)
    recipe_id = models.BigIntegerField(_("recipe id"))
    recipe_name = models.CharField(_("recipe"), max_length=100)
    # [{"food": code, "food_name": name, "grams": "120.0"}] per serving for the menu's band.
    quantities = models.JSONField(_("quantities"), default=list, encoder=DjangoJSONEncoder)
    nutrients = models.JSONField(_("nutrients"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["date", "meal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["menu", "date", "meal", "recipe_id"], name="canteen_menuitem_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.meal} {self.recipe_name}"


class MealSession(models.Model):
    """One meal served on one school day, with what its ingredients cost."""

    date = models.DateField(_("date"))
    meal = models.CharField(_("meal"), max_length=9, choices=Meal.choices)
    menu = models.ForeignKey(
        Menu, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    ingredient_cost = models.DecimalField(
        _("ingredient cost (CNY)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    # 师生同餐: teachers ate the same meal as the students.
    teachers_shared = models.BooleanField(_("teachers shared the meal"), default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meal session")
        verbose_name_plural = _("meal sessions")
        ordering = ["-date", "meal", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["date", "meal"], name="canteen_session_one_per_meal"),
            models.CheckConstraint(
                condition=Q(ingredient_cost__gte=0), name="canteen_session_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.meal}"


class Serving(models.Model):
    """One student eating one meal (real-name): at most one per student per session."""

    class Source(models.TextChoices):
        CARD = "card", _("card reader")
        CLASS_LIST = "class_list", _("class list")
        MANUAL = "manual", _("entered by hand")

    session = models.ForeignKey(
        MealSession, on_delete=models.PROTECT, related_name="servings", db_index=False
    )
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("serving")
        verbose_name_plural = _("servings")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"], name="canteen_serving_one_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.student_id}"


class AccompaniedMeal(models.Model):
    """A school leader eating a meal with the students (陪餐), and what they found."""

    session = models.ForeignKey(
        MealSession, on_delete=models.PROTECT, related_name="accompanied_meals", db_index=False
    )
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comments = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("accompanied meal")
        verbose_name_plural = _("accompanied meals")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "leader"], name="canteen_accompanied_once_per_leader"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.leader_id}"


class FoodSample(models.Model):
    """A sample of one dish of a meal kept cold (留样): how much, when it went in and came out."""

    session = models.ForeignKey(MealSession, on_delete=models.PROTECT, related_name="samples")
    dish = models.CharField(_("dish"), max_length=100)
    weight_g = models.DecimalField(
        _("weight (g)"), max_digits=6, decimal_places=1, default=Decimal("125.0")
    )
    taken_at = models.DateTimeField(_("taken at"))
    kept_until = models.DateTimeField(_("kept until"))
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("food sample")
        verbose_name_plural = _("food samples")
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_g__gt=0, weight_g__lte=5000), name="canteen_sample_weight_sane"
            ),
            models.CheckConstraint(
                condition=Q(kept_until__gt=F("taken_at")), name="canteen_sample_kept_after_taken"
            ),
            # A sample is never thrown away before its retention period ends.
            models.CheckConstraint(
                condition=Q(discarded_at__isnull=True) | Q(discarded_at__gte=F("kept_until")),
                name="canteen_sample_kept_long_enough",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.dish}"


# The papers a delivery of food usually comes with (the forms offer them; others are typed in).
USUAL_CERTIFICATES = (
    "营业执照",
    "食品经营许可证",
    "检验检疫合格证明",
    "动物检疫合格证明",
    "产品检验合格报告",
)


class InboundInspection(models.Model):
    """One delivery checked on arrival (进货查验): supplier, batch, certificates, quantities; the
    record is kept six months past the shelf life and no less than two years."""

    supplier_name = models.CharField(_("supplier"), max_length=200)
    batch = models.CharField(_("batch"), max_length=100)
    # ["营业执照", "检验检疫合格证明", ...]: the certificates seen.
    certificates = models.JSONField(_("certificates"), default=list)
    # [{"item": "大米", "quantity": "50", "unit": "kg"}]
    lines = models.JSONField(_("items and quantities"), default=list, encoder=DjangoJSONEncoder)
    received_on = models.DateField(_("received on"))
    shelf_life_until = models.DateField(_("shelf life until"))
    keep_until = models.DateField(_("record kept until"))
    accepted = models.BooleanField(_("accepted"), default=True)
    note = models.TextField(_("note"), blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbound inspection")
        verbose_name_plural = _("inbound inspections")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(keep_until__gt=F("shelf_life_until"))
                & Q(keep_until__gt=F("received_on")),
                name="canteen_inspection_kept_long_enough",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.supplier_name} {self.batch}"


class ColdStorageReading(models.Model):
    """A temperature read from one refrigerator or freezer, and whether it was out of range."""

    class UnitType(models.TextChoices):
        REFRIGERATOR = "refrigerator", _("refrigerator")
        FREEZER = "freezer", _("freezer")
        SAMPLE_FRIDGE = "sample_fridge", _("sample refrigerator")

    unit = models.CharField(_("unit"), max_length=100)
    unit_type = models.CharField(_("type of unit"), max_length=16, choices=UnitType.choices)
    temperature_c = models.DecimalField(_("temperature (°C)"), max_digits=4, decimal_places=1)
    measured_at = models.DateTimeField(_("measured at"))
    out_of_range = models.BooleanField(_("out of range"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cold-storage reading")
        verbose_name_plural = _("cold-storage readings")
        ordering = ["-measured_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature_c__gte=-60, temperature_c__lte=60),
                name="canteen_cold_reading_plausible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.temperature_c} °C {self.measured_at}"


class DailyClose(models.Model):
    """One school day closed by the nightly job: the alerts it found (meals without a sample,
    cold readings out of range, meals costing less than the subsidy pays) and their counts.
    Closing a day again updates its row."""

    date = models.DateField(_("date"), unique=True)
    # {"no_sample": 1, "cold_out_of_range": 0, "cost_below_subsidy": 2, "alerts": 3, ...}
    counts = models.JSONField(_("counts"), default=dict)
    # The alerts as the alerts API shows them.
    alerts = models.JSONField(_("alerts"), default=list, encoder=DjangoJSONEncoder)
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        verbose_name = _("daily close")
        verbose_name_plural = _("daily closes")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} ({self.counts.get('alerts', 0)} alerts)"
