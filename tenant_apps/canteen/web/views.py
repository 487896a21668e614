"""The canteen's pages on a school's host, phone first: the day's meals and what waits, the
district's plans to adopt, a meal's servings (a class roster, a card typed or scanned, a card
terminal's export), samples (留样), accompanied meals (陪餐), cold-storage temperatures, inbound
inspections (进货查验) and the alerts. Pages read through the canteen's selectors and write
through its services; the rules are theirs."""

from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from houqin.imports import ImportReport, RowStatus
from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from tenant_apps.canteen import filters, selectors
from tenant_apps.canteen.models import (
    ColdStorageReading,
    FoodSample,
    Meal,
    MealSession,
    Menu,
    Serving,
)
from tenant_apps.canteen.services.food_safety import (
    accompanied_meal_record,
    cold_reading_record,
    inspection_record,
    sample_discard,
    sample_record,
)
from tenant_apps.canteen.services.importing import servings_import
from tenant_apps.canteen.services.menus import menu_adopt_plan
from tenant_apps.canteen.services.servings import (
    meal_session_open,
    meal_session_update,
    servings_record,
)
from tenant_apps.canteen.terminal import read_swipes
from tenant_apps.canteen.web import forms as f
from tenant_apps.people import selectors as people

SECTION = gettext_lazy("Canteen")
# Who runs the canteen's day: opens meals, records servings and food-safety records.
RUNS_THE_CANTEEN = "canteen.add_mealsession"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _own(request: HttpRequest, queryset: QuerySet[Any], pk: int) -> Any:
    """The row `pk` of `queryset` that the caller may see here, or 404."""
    return get_object_or_404(restrict(queryset, request.user, "view"), pk=pk)


# The day -----------------------------------------------------------------------------------------


class TodayPage(Page):
    """Today's meals, each opened or to open, with its servings, sample and accompanied meal,
    and today's alerts."""

    permission = "canteen.view_mealsession"
    title = gettext_lazy("Today in the canteen")
    nav = Nav(SECTION, gettext_lazy("Today"), 10)
    template_name = "canteen/today.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        day = timezone.localdate()
        sessions = {
            session.meal: session
            for session in restrict(
                selectors.meal_session_overview(), self.request.user, "view"
            ).filter(date=day)
        }
        dishes = selectors.dishes_on(day)
        meals = [
            {
                "meal": meal,
                "label": label,
                "session": sessions.get(meal),
                "dishes": [item.recipe_name for item in dishes.get(meal, [])],
            }
            for meal, label in Meal.choices
            if meal in sessions or meal in dishes
        ]
        return super().get_context_data(
            day=day,
            board=selectors.canteen_day_get(day=day),
            meals=meals,
            alerts=selectors.alert_board(start=day, end=day),
            **kwargs,
        )


def canteen_waiting(request: HttpRequest) -> Panel | None:
    """The home page's panel: what waits in the canteen today for whoever runs it; for a leader
    who only eats with the students (the principal), the meals no leader accompanied yet."""
    runs = has_perm(request.user, RUNS_THE_CANTEEN)
    if not runs and not has_perm(request.user, "canteen.add_accompaniedmeal"):
        return None
    board = selectors.canteen_day_get(day=timezone.localdate())
    today = reverse("canteen:today")
    unaccompanied = Waiting(
        _("Meals no leader accompanied"), board.without_accompanied_meal, today, warn=True
    )
    if not runs:
        return Panel(_("Canteen today"), [unaccompanied])
    return Panel(
        _("Canteen today"),
        [
            Waiting(_("Meals to open"), board.meals_to_open, reverse("canteen:session-open")),
            Waiting(_("Meals without a food sample"), board.without_sample, today, warn=True),
            unaccompanied,
            Waiting(
                _("Cold-storage readings out of range"),
                board.cold_out_of_range,
                reverse("canteen:alerts"),
                warn=True,
            ),
            Waiting(
                _("Meals costing less than the subsidy pays"),
                board.below_subsidy,
                reverse("canteen:alerts"),
                warn=True,
            ),
            Waiting(
                _("Plans for next week to adopt"), board.plans_to_adopt, reverse("canteen:plans")
            ),
        ],
    )


# The district's plans and the school's menus -----------------------------------------------------


class PlansPage(FormPage):
    """The district's published meal plans from this week on, each with its nutrient check in a
    line and its dishes folded, and whether the school adopted it; adopting one makes it the
    menu of its week for its age band."""

    permission = "canteen.add_menu"
    title = gettext_lazy("District meal plans")
    nav = Nav(SECTION, gettext_lazy("District meal plans"), 20)
    template_name = "canteen/plans.html"
    form_class = f.AdoptForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        chosen = f.PlanFilterForm(self.request.GET or None)
        band = (chosen.cleaned_data["age_band"] or None) if chosen.is_valid() else None
        offers = selectors.plan_offers(week_from=_monday(timezone.localdate()), age_band=band)
        weeks: dict[date, list[selectors.PlanOffer]] = {}
        for offer in offers:
            weeks.setdefault(offer.plan.week_start, []).append(offer)
        return super().get_context_data(filter_form=chosen, weeks=weeks, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        menu = run(
            form,
            lambda: menu_adopt_plan(
                plan_id=form.cleaned_data["plan"], actor=signed_in(self.request)
            ),
        )
        if menu is None:
            return None
        messages.success(self.request, _("The plan is now the menu of its week."))
        return reverse("canteen:menu", kwargs={"pk": menu.pk})


class MenusPage(Page):
    permission = "canteen.view_menu"
    title = gettext_lazy("Menus")
    nav = Nav(SECTION, gettext_lazy("Menus"), 30)
    template_name = "canteen/menus.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        menus = restrict(selectors.menu_list(), self.request.user, "view")
        found = listing(
            self.request,
            menus,
            filters.MenuFilter,
            sorts={"start_date": _("first day"), "age_band": _("age band")},
            default_sort="-start_date",
        )
        return super().get_context_data(listing=found, **kwargs)


class MenuPage(Page):
    """One menu: its days and meals with their dishes, and its nutrient check."""

    permission = "canteen.view_menu"
    title = gettext_lazy("Menu")
    template_name = "canteen/menu.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        menu: Menu = _own(self.request, selectors.menu_list(), self.kwargs["pk"])
        return super().get_context_data(
            menu=menu,
            days=selectors.menu_days(menu),
            check=selectors.nutrient_check(menu.report or {}),
            **kwargs,
        )


# Meals -------------------------------------------------------------------------------------------


class SessionsPage(Page):
    permission = "canteen.view_mealsession"
    title = gettext_lazy("Meals served")
    nav = Nav(SECTION, gettext_lazy("Meals served"), 40)
    template_name = "canteen/sessions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        sessions = restrict(selectors.meal_session_overview(), self.request.user, "view")
        found = listing(
            self.request,
            sessions,
            filters.MealSessionFilter,
            sorts={"date": _("date"), "ingredient_cost": _("ingredient cost (CNY)")},
            default_sort="-date",
        )
        return super().get_context_data(listing=found, **kwargs)


class SessionOpenPage(FormPage):
    """Open a meal of a school day (today unless said otherwise), from the menu in force."""

    permission = RUNS_THE_CANTEEN
    title = gettext_lazy("Open a meal")
    template_name = "canteen/session_open.html"
    form_class = f.SessionOpenForm

    def get_form_kwargs(self) -> dict[str, Any]:
        today = timezone.localdate()
        menus = restrict(selectors.menu_list(), self.request.user, "view").filter(
            status=Menu.Status.ACTIVE, end_date__gte=today - timedelta(days=31)
        )
        in_force = selectors.menus_in_force_on(today).first()
        meal = self.request.GET.get("meal")
        return {
            "menus": menus,
            "initial": {
                "day": today,
                "meal": meal if meal in Meal.values else Meal.LUNCH,
                "menu": in_force,
            },
        }

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        session = run(
            form,
            lambda: meal_session_open(
                date=data["day"],
                meal=data["meal"],
                menu=data["menu"],
                ingredient_cost=data["ingredient_cost"] or Decimal("0.00"),
                teachers_shared=data["teachers_shared"],
                actor=signed_in(self.request),
            ),
        )
        if session is None:
            return None
        messages.success(self.request, _("The meal is open: record who eats it."))
        return reverse("canteen:session", kwargs={"pk": session.pk})


class _SessionMixin:
    """A page about one meal of this school (its id in the URL)."""

    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def session(self) -> MealSession:
        found: MealSession = _own(
            self.request, selectors.meal_session_overview(), self.kwargs["pk"]
        )
        return found

    def session_url(self, name: str = "canteen:session") -> str:
        return reverse(name, kwargs={"pk": self.session.pk})


class SessionPage(_SessionMixin, Page):
    """One meal: its dishes and figures, the students recorded last, its samples and its
    accompanied meals, and the ways to record more."""

    permission = "canteen.view_mealsession"
    title = gettext_lazy("Meal")
    template_name = "canteen/session.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        session = self.session
        user = self.request.user
        return super().get_context_data(
            session=session,
            per_student=selectors.per_serving(
                session.ingredient_cost,
                session.serving_count,  # type: ignore[attr-defined]
            ),
            dishes=selectors.session_dishes(session),
            latest=selectors.servings_latest(session=session),
            samples=restrict(selectors.food_sample_list(), user, "view").filter(session=session),
            accompanied=restrict(selectors.accompanied_meal_list(), user, "view").filter(
                session=session
            ),
            card_form=f.CardForm(),
            **kwargs,
        )


class SessionCostPage(_SessionMixin, FormPage):
    """The meal's ingredient cost once known, and whether teachers shared it (师生同餐)."""

    permission = "canteen.change_mealsession"
    title = gettext_lazy("Ingredient cost")
    template_name = "canteen/session_form.html"
    form_class = f.SessionCostForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            "initial": {
                "ingredient_cost": self.session.ingredient_cost,
                "teachers_shared": self.session.teachers_shared,
            }
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(session=self.session, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        done = run(
            form,
            lambda: meal_session_update(
                session=self.session,
                ingredient_cost=form.cleaned_data["ingredient_cost"],
                teachers_shared=form.cleaned_data["teachers_shared"],
                actor=signed_in(self.request),
            ),
        )
        return None if done is None else self.session_url()


class RosterPage(_SessionMixin, FormPage):
    """A class's roster for this meal: tick who ate, or take the whole class in one tap; those
    already recorded stay ticked."""

    permission = "canteen.change_mealsession"
    title = gettext_lazy("Class roster")
    template_name = "canteen/roster.html"
    form_class = f.RosterForm

    @cached_property
    def chosen(self) -> tuple[int, str] | None:
        grade = self.request.GET.get("grade", "")
        class_name = self.request.GET.get("class", "")
        if not grade.isdigit() or len(class_name) > 32:
            return None
        return int(grade), class_name

    @cached_property
    def students(self) -> list[Any]:
        if self.chosen is None:
            return []
        grade, class_name = self.chosen
        return list(
            selectors.roster_students(session=self.session, grade=grade, class_name=class_name)
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        waiting = [(student.pk, student.name) for student in self.students if not student.served]
        return {"waiting": waiting}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            session=self.session,
            classes=selectors.roster_classes(day=self.session.date),
            chosen=self.chosen,
            students=self.students,
            **kwargs,
        )

    def act(self, form: forms.Form) -> str | None:
        if form.cleaned_data["whole_class"]:
            ids = [student.pk for student in self.students if not student.served]
        else:
            ids = form.cleaned_data["student"]
        if not ids:
            messages.info(self.request, _("Everyone in this class is already recorded."))
            return self.request.get_full_path()
        result = run(
            form,
            lambda: servings_record(
                session=self.session,
                source=Serving.Source.CLASS_LIST,
                student_ids=ids,
                actor=signed_in(self.request),
            ),
        )
        if result is None:
            return None
        messages.success(
            self.request,
            ngettext("%(count)d student recorded.", "%(count)d students recorded.", result.recorded)
            % {"count": result.recorded},
        )
        return self.request.get_full_path()


class CardPage(_SessionMixin, FormPage):
    """A student's card number (their student number), typed or scanned: one serving each."""

    permission = "canteen.change_mealsession"
    title = gettext_lazy("Card or student number")
    template_name = "canteen/card.html"
    form_class = f.CardForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            session=self.session, latest=selectors.servings_latest(session=self.session), **kwargs
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        number = form.cleaned_data["card"].strip()
        result = run(
            form,
            lambda: servings_record(
                session=self.session,
                source=Serving.Source.CARD,
                student_numbers=[number],
                actor=signed_in(self.request),
            ),
        )
        if result is None:
            return None
        student = people.student_get_by_number(number)
        name = student.name if student is not None else number
        if result.recorded:
            messages.success(self.request, _("Recorded: %(name)s.") % {"name": name})
        else:
            messages.info(
                self.request, _("%(name)s was already recorded for this meal.") % {"name": name}
            )
        return self.session_url("canteen:card")


class ImportPage(_SessionMixin, FormPage):
    """A card terminal's export for this meal: every row checked, then all recorded or none,
    with a report per row."""

    permission = "canteen.change_mealsession"
    title = gettext_lazy("Import from a card terminal")
    template_name = "canteen/import.html"
    form_class = f.ImportForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report: ImportReport | None = kwargs.get("report")
        if report is not None:
            kwargs.update(
                created=report.count(RowStatus.CREATED),
                exists=report.count(RowStatus.EXISTS),
                problems=[row for row in report.rows if row.failed],
                others=[row for row in report.rows if not row.failed],
            )
        return super().get_context_data(session=self.session, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            swipes = run(form, lambda: read_swipes(upload, upload.name))
            if swipes is not None:
                report = run(
                    form,
                    lambda: servings_import(
                        session=self.session, swipes=swipes, actor=signed_in(request)
                    ),
                )
        saved = report is not None and report.saved
        if saved:
            form = self.get_form()
        context = self.get_context_data(form=form, report=report)
        return self.render_to_response(context, status=200 if saved else 400)


class SampleAddPage(_SessionMixin, FormPage):
    """A sample of one of the meal's dishes kept cold (留样): its weight and when it was taken."""

    permission = "canteen.add_foodsample"
    title = gettext_lazy("Keep a sample")
    template_name = "canteen/sample_add.html"
    form_class = f.SampleForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            session=self.session, dishes=selectors.session_dishes(self.session), **kwargs
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        sample = run(
            form,
            lambda: sample_record(
                session=self.session,
                dish=data["dish"],
                weight_g=data["weight"],
                taken_at=data["taken"],
                actor=signed_in(self.request),
            ),
        )
        if sample is None:
            return None
        messages.success(
            self.request,
            _("Sample of %(dish)s kept until %(until)s.")
            % {
                "dish": sample.dish,
                "until": f"{timezone.localtime(sample.kept_until):%Y-%m-%d %H:%M}",
            },
        )
        return self.session_url()


class AccompanyPage(_SessionMixin, FormPage):
    """A leader ate this meal with the students (陪餐), and says what they found."""

    permission = "canteen.add_accompaniedmeal"
    title = gettext_lazy("Accompanied meal")
    template_name = "canteen/session_form.html"
    form_class = f.AccompanyForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(session=self.session, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        done = run(
            form,
            lambda: accompanied_meal_record(
                session=self.session,
                comments=form.cleaned_data["comments"],
                actor=signed_in(self.request),
            ),
        )
        if done is None:
            return None
        messages.success(self.request, _("Your accompanied meal is recorded."))
        return self.session_url()


# Food safety -------------------------------------------------------------------------------------


class SamplesPage(Page):
    """The samples kept (留样), those still in the cold first: each until when, and thrown
    away once its time has passed."""

    permission = "canteen.view_foodsample"
    title = gettext_lazy("Food samples")
    nav = Nav(SECTION, gettext_lazy("Food samples"), 50)
    template_name = "canteen/samples.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        samples = restrict(selectors.food_sample_list(), self.request.user, "view")
        found = listing(
            self.request,
            samples,
            filters.FoodSampleListFilter,
            sorts={"taken_at": _("taken at"), "kept_until": _("kept until")},
            default_sort="-taken_at",
        )
        return super().get_context_data(listing=found, now=timezone.now(), **kwargs)


class _NoFields(forms.Form):
    """An act with nothing to fill in: only its confirmation."""


class SampleDiscardPage(FormPage):
    permission = "canteen.discard_foodsample"
    title = gettext_lazy("Discard a sample")
    template_name = "canteen/sample_discard.html"
    form_class = _NoFields

    @cached_property
    def sample(self) -> FoodSample:
        found: FoodSample = _own(self.request, selectors.food_sample_list(), self.kwargs["pk"])
        return found

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(sample=self.sample, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        done = run(form, lambda: sample_discard(sample=self.sample, actor=signed_in(self.request)))
        if done is None:
            return None
        messages.success(self.request, _("The sample is recorded as discarded."))
        return reverse("canteen:samples")


class ColdPage(Page):
    """Cold-storage temperatures, those out of range marked."""

    permission = "canteen.view_coldstoragereading"
    title = gettext_lazy("Cold-storage temperatures")
    nav = Nav(SECTION, gettext_lazy("Temperatures"), 60)
    template_name = "canteen/cold.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        readings = restrict(selectors.cold_reading_list(), self.request.user, "view")
        found = listing(
            self.request,
            readings,
            filters.ColdStorageReadingFilter,
            sorts={"measured_at": _("measured at"), "temperature_c": _("temperature (°C)")},
            default_sort="-measured_at",
        )
        return super().get_context_data(listing=found, **kwargs)


class ColdAddPage(FormPage):
    permission = "canteen.add_coldstoragereading"
    title = gettext_lazy("Record a temperature")
    template_name = "canteen/cold_add.html"
    form_class = f.ColdReadingForm

    def get_form_kwargs(self) -> dict[str, Any]:
        units = selectors.cold_units()
        return {"initial": {"unit": units[0][0], "unit_type": units[0][1]}} if units else {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(units=selectors.cold_units(), **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        reading: ColdStorageReading | None = run(
            form,
            lambda: cold_reading_record(
                unit=data["unit"],
                unit_type=data["unit_type"],
                temperature_c=data["temperature"],
                actor=signed_in(self.request),
            ),
        )
        if reading is None:
            return None
        if reading.out_of_range:
            messages.warning(
                self.request,
                _("%(unit)s reads %(temperature)s °C: out of range. Check the unit now.")
                % {"unit": reading.unit, "temperature": reading.temperature_c},
            )
        else:
            messages.success(self.request, _("Temperature recorded."))
        return reverse("canteen:cold")


class InspectionsPage(Page):
    """Deliveries checked on arrival (进货查验): those made with an order's delivery and those
    recorded here."""

    permission = "canteen.view_inboundinspection"
    title = gettext_lazy("Inbound inspections")
    nav = Nav(SECTION, gettext_lazy("Inbound inspections"), 70)
    template_name = "canteen/inspections.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        inspections = restrict(selectors.inbound_inspection_list(), self.request.user, "view")
        found = listing(
            self.request,
            inspections,
            filters.InboundInspectionFilter,
            sorts={"received_on": _("received on"), "keep_until": _("record kept until")},
            default_sort="-received_on",
        )
        return super().get_context_data(listing=found, **kwargs)


class InspectionAddPage(FormPage):
    """A delivery that came outside an order (a market purchase), checked on arrival."""

    permission = "canteen.add_inboundinspection"
    title = gettext_lazy("Inspect a delivery")
    template_name = "canteen/inspection_add.html"
    form_class = f.InspectionForm

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, f.InspectionForm)
        data = form.cleaned_data
        done = run(
            form,
            lambda: inspection_record(
                supplier_name=data["supplier_name"],
                batch=data["batch"],
                received_on=data["received"],
                shelf_life_until=data["shelf_life_until"],
                certificates=form.certificates_seen(),
                lines=data["lines"],
                accepted=data["accepted"],
                note=data["note"],
                actor=signed_in(self.request),
            ),
        )
        if done is None:
            return None
        messages.success(self.request, _("The inspection is recorded."))
        return reverse("canteen:inspections")


class AlertsPage(Page):
    """The alerts of today or the last days: meals without a sample or an accompanying leader,
    cold readings out of range, meals costing less than the subsidy pays (克扣)."""

    permission = "canteen.view_mealsession"
    title = gettext_lazy("Alerts")
    nav = Nav(SECTION, gettext_lazy("Alerts"), 80)
    template_name = "canteen/alerts.html"
    periods: ClassVar[tuple[int, ...]] = (1, 7, 30)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        asked = self.request.GET.get("days", "1")
        days = int(asked) if asked.isdigit() and int(asked) in self.periods else 1
        end = timezone.localdate()
        start = end - timedelta(days=days - 1)
        return super().get_context_data(
            days=days,
            periods=self.periods,
            start=start,
            alerts=selectors.alert_board(start=start, end=end),
            **kwargs,
        )
