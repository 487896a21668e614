"""The transport officer's pages on the district host: the fleet with what lapses within the
warning window, drivers with each qualification rule evaluated on a chosen day, bus licences
(校车标牌) through their approval with its deadlines, routes as stop lists, the day's runs with
their loads by school, and alarms. Auditors read what the officer reads and act on nothing. The
same services and selectors as the API, rows through `restrict()` as the API reads them."""

import datetime
from collections import defaultdict
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from houqin.db import tenant_db
from houqin.months import month_bounds
from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from shared_apps.transport import selectors, services
from shared_apps.transport.models import (
    Alarm,
    Driver,
    FieldTrip,
    Licence,
    Route,
    RoutePlan,
    Run,
)
from shared_apps.transport.web.forms import (
    AdoptForm,
    DayForm,
    FieldTripForm,
    PlanForm,
    RouteVersionForm,
    SpanForm,
    StepForm,
    TripDecisionForm,
)
from tenants.models import School

SECTION = gettext_lazy("School buses")

# The steps a licence may take from each status.
STEPS_FROM: dict[str, list[str]] = defaultdict(list)
for _step, (_before, _after) in services.NEXT_STEP.items():
    STEPS_FROM[_before].append(_step)


class FleetPage(Page):
    """Vehicles with their inspection and equipment, and what lapses within the warning window:
    inspections, insurance and operating licences, drivers' checks, bus licences."""

    permission = "transport.view_vehicle"
    title = gettext_lazy("Fleet")
    nav = Nav(SECTION, gettext_lazy("Fleet"), 60)
    template_name = "transport/fleet.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        user = self.request.user
        vehicles = restrict(selectors.vehicle_list(), user, "view").order_by("plate")
        context.update(
            today=today,
            days=selectors.WARNING_DAYS,
            vehicles=vehicles,
            warnings=selectors.expiring(today),
        )
        return context


class DriversPage(Page):
    """Every driver with the rules of decree 617 art. 23 evaluated on the chosen day (today
    unless another is asked), each failed rule with its reason."""

    permission = "transport.view_driver"
    title = gettext_lazy("Drivers")
    nav = Nav(SECTION, gettext_lazy("Drivers"), 61)
    template_name = "transport/drivers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DayForm(self.request.GET if "on" in self.request.GET else None)
        on = form.cleaned_data["on"] if form.is_bound and form.is_valid() else None
        on = on or timezone.localdate()
        drivers: list[Driver] = list(
            restrict(selectors.driver_list(), self.request.user, "view").order_by("name", "id")
        )
        context.update(
            form=form if form.is_bound else DayForm(initial={"on": on}),
            on=on,
            drivers=[(driver, selectors.driver_failures(driver, on)) for driver in drivers],
        )
        return context


class LicencesPage(Page):
    """Bus licences: where each stands in the approval and by when its step is due."""

    permission = "transport.view_licence"
    title = gettext_lazy("Bus licences")
    nav = Nav(SECTION, gettext_lazy("Bus licences"), 62)
    template_name = "transport/licences.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = restrict(selectors.licence_list(), self.request.user, "view")
        context.update(
            licences=rows,
            today=timezone.localdate(),
            can_decide=has_perm(self.request.user, "transport.decide_licence"),
            waiting=set(STEPS_FROM),
        )
        return context


class LicenceAdvancePage(FormPage):
    """One step of a licence's approval: forward, record the answer, approve or refuse with the
    reason."""

    permission = "transport.decide_licence"
    template_name = "transport/licence_advance.html"
    form_class = StepForm

    @cached_property
    def licence(self) -> Licence:
        rows = restrict(selectors.licence_list(), self.request.user, "decide")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        return StepForm(data, files, steps=STEPS_FROM.get(self.licence.status, []))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            licence=self.licence, title=_("Licence %(number)s") % {"number": self.licence}
        )
        return context

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        done = run(
            form,
            lambda: services.licence_advance(
                licence=self.licence,
                step=data["step"],
                reason=data["reason"],
                actor=signed_in(self.request),
            ),
        )
        if done is None:
            return None
        messages.success(
            self.request,
            _("Licence %(number)s: %(status)s.")
            % {"number": done.number, "status": done.get_status_display()},
        )
        return reverse("transport:licences")


class RoutesPage(Page):
    """Routes as stop lists, in order with their times, the schools they serve and their hazard
    segments with the mitigation."""

    permission = "transport.view_route"
    title = gettext_lazy("Routes")
    nav = Nav(SECTION, gettext_lazy("Routes"), 63)
    template_name = "transport/routes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["routes"] = restrict(selectors.route_list(), self.request.user, "view").order_by(
            "code"
        )
        return context


def _route(request: HttpRequest, pk: int, verb: str = "view") -> Route:
    rows = restrict(selectors.route_list(), request.user, verb)
    return get_object_or_404(rows, pk=pk)


class RoutePage(Page):
    """A route's versions by number: the weekdays and dates each runs, its stops in order with
    their times, whether its bus licence is approved or awaited, and the one in force today."""

    permission = "transport.view_route"
    shows = Route
    title = gettext_lazy("Route versions")
    template_name = "transport/route.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        route = _route(self.request, self.kwargs["pk"])
        today = timezone.localdate()
        versions = list(restrict(selectors.route_versions(route, today), self.request.user, "view"))
        return super().get_context_data(
            route=route,
            versions=versions,
            current=selectors.route_version_current(versions, today),
            can_add=has_perm(self.request.user, "transport.change_route"),
            **kwargs,
        )


class RouteVersionNewPage(FormPage):
    """A new version of a route, from one of its versions: the weekdays and dates it runs, the
    stops kept in their order at their times. It needs its bus licence approved before any run."""

    permission = "transport.change_route"
    title = gettext_lazy("New route version")
    template_name = "transport/route_version_new.html"
    form_class = RouteVersionForm

    @cached_property
    def route(self) -> Route:
        return _route(self.request, self.kwargs["pk"], "change")

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        initial = {"weekdays": list(self.route.weekdays)}
        stops = list(self.route.stops.all())
        return RouteVersionForm(data, files, stops=stops, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(route=self.route, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        made = run(
            form,
            lambda: services.route_version_add(
                route=self.route,
                stops=[services.VersionStop(stop, at) for stop, at in data["kept"]],
                weekdays="".join(data["weekdays"]),
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                actor=signed_in(self.request),
            ),
        )
        if made is None:
            return None
        messages.success(
            self.request,
            _(
                "Route %(code)s is the new version. It needs its bus licence approved before "
                "any run."
            )
            % {"code": made.code},
        )
        return reverse("transport:route", args=[made.pk])


class RunsPage(Page):
    """The day's runs with their loads: seats taken against seats for pupils, and by school."""

    permission = "transport.view_run"
    title = gettext_lazy("Today's runs")
    nav = Nav(SECTION, gettext_lazy("Today's runs"), 64)
    template_name = "transport/runs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        runs = list(
            restrict(selectors.run_day(today), self.request.user, "view").order_by("period", "id")
        )
        by_run = selectors.loads_by_school([r.pk for r in runs])
        context.update(today=today, runs=[(r, by_run[r.pk]) for r in runs])
        return context


def _measured(alarm: Alarm) -> str:
    """What the alarm's rule measured, in words."""
    if alarm.kind == Alarm.Kind.SPEEDING:
        return _("%(speed)s km/h where the limit is %(limit)s") % {
            "speed": alarm.speed_kmh,
            "limit": alarm.limit_kmh,
        }
    if alarm.kind == Alarm.Kind.OFF_ROUTE:
        return _("%(metres)s m from the route") % {"metres": alarm.distance_m}
    if alarm.kind == Alarm.Kind.UNAPPROVED_STOP:
        return _("stood %(minutes)s min, %(metres)s m from the nearest approved stop") % {
            "minutes": max(1, round((alarm.last_at - alarm.at).total_seconds() / 60)),
            "metres": alarm.distance_m,
        }
    if alarm.kind == Alarm.Kind.OVERLOAD:
        return _("%(taken)s seats taken, %(allowed)s allowed") % {
            "taken": alarm.seats_taken,
            "allowed": alarm.seats_allowed,
        }
    return _("driven by %(driver)s, not the licence's driver, with no substitution filed") % {
        "driver": alarm.driver
    }


class AlarmsPage(Page):
    """Alarms raised from the buses' telemetry and seat ledger, the newest first, each with
    what its rule measured and until when the episode went on."""

    permission = "transport.view_alarm"
    title = gettext_lazy("Alarms")
    nav = Nav(SECTION, gettext_lazy("Alarms"), 65)
    template_name = "transport/alarms.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = restrict(selectors.alarm_list(), self.request.user, "view")
        alarms = rows.select_related("run__route", "driver").order_by("-at", "-id")[:200]
        context["alarms"] = [(alarm, _measured(alarm)) for alarm in alarms]
        return context


def home_panel(request: HttpRequest) -> Panel | None:
    """For the transport officer: licences waiting on a step, what lapses within the warning
    window, today's runs."""
    if not has_perm(request.user, "transport.decide_licence"):
        return None
    today = timezone.localdate()
    expiring = selectors.expiring(today)
    return Panel(
        _("School buses"),
        [
            Waiting(
                _("Licences waiting on a step"),
                Licence.objects.filter(status__in=list(STEPS_FROM)).count(),
                reverse("transport:licences"),
            ),
            Waiting(
                _("Expiring within 30 days"),
                sum(len(rows) for rows in expiring.values()),
                reverse("transport:fleet"),
                warn=True,
            ),
            Waiting(
                _("Today's runs"),
                Run.objects.filter(period__startswith__date=today).count(),
                reverse("transport:runs"),
            ),
        ],
    )


# Field trips ------------------------------------------------------------------------------------

TRIP_SECTION = gettext_lazy("Field trips")


class _Trips(Page):
    template_name = "transport/field_trips.html"

    def trips(self, verb: str = "view") -> Any:
        rows = restrict(selectors.field_trip_list(), self.request.user, verb)
        return rows.order_by("-starts_at", "-id")


class SchoolFieldTripsPage(_Trips):
    """The school's field trips by bus, newest first, with where each stands; the principal
    decides those waiting for them."""

    permission = "transport.view_fieldtrip"
    title = gettext_lazy("Field trips")
    nav = Nav(TRIP_SECTION, gettext_lazy("Field trips"), 10)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            trips=self.trips()[:200],
            can_request=has_perm(self.request.user, "transport.add_fieldtrip"),
            waiting=FieldTrip.Status.REQUESTED
            if has_perm(self.request.user, "transport.endorse_fieldtrip")
            else None,
            decide="field_trips:decide",
            **kwargs,
        )


class FieldTripsPage(_Trips):
    """Every school's field trips; the transport officer decides those the principals
    approved."""

    permission = "transport.view_fieldtrip"
    title = gettext_lazy("Field trips")
    nav = Nav(SECTION, gettext_lazy("Field trips"), 66)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            trips=self.trips()[:200],
            show_school=True,
            waiting=FieldTrip.Status.ENDORSED
            if has_perm(self.request.user, "transport.decide_fieldtrip")
            else None,
            decide="transport:field-trip-decide",
            **kwargs,
        )


class FieldTripRequestPage(FormPage):
    """Ask for a bus for a field trip, at least ten school days ahead."""

    permission = "transport.add_fieldtrip"
    title = gettext_lazy("Ask for a field trip")
    template_name = "transport/field_trip_request.html"
    form_class = FieldTripForm

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        at = timezone.get_current_timezone()
        trip = run(
            form,
            lambda: services.field_trip_request(
                school=tenant_db().tenant,
                destination=data["destination"],
                purpose=data["purpose"],
                starts_at=datetime.datetime.combine(data["day"], data["leaves"], at),
                ends_at=datetime.datetime.combine(data["day"], data["back"], at),
                pupils=data["pupils"],
                escorts=data["escorts"],
                actor=signed_in(self.request),
            ),
            field="day",
        )
        if trip is None:
            return None
        messages.success(self.request, _("The field trip is asked for. The principal decides."))
        return reverse("field_trips:list")


class _TripDecision(FormPage):
    template_name = "transport/field_trip_decide.html"
    form_class = TripDecisionForm
    verb: ClassVar[str]
    waiting: ClassVar[str]
    back: ClassVar[str]

    @cached_property
    def trip(self) -> FieldTrip:
        rows = restrict(selectors.field_trip_list(), self.request.user, self.verb)
        return get_object_or_404(rows.filter(status=self.waiting), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            trip=self.trip,
            title=_("Field trip to %(place)s") % {"place": self.trip.destination},
            back=reverse(self.back),
            **kwargs,
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def approve(self, data: dict[str, Any]) -> FieldTrip:
        raise NotImplementedError

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        actor = signed_in(self.request)
        if data["decision"] == "approve":
            done = run(form, lambda: self.approve(data))
        else:
            done = run(
                form,
                lambda: services.field_trip_refuse(
                    trip=self.trip, at=self.waiting, reason=data["reason"], actor=actor
                ),
            )
        if done is None:
            return None
        messages.success(
            self.request,
            _("Field trip to %(place)s: %(status)s.")
            % {"place": done.destination, "status": done.get_status_display()},
        )
        return reverse(self.back)


class FieldTripEndorsePage(_TripDecision):
    """The principal approves the school's field trip (it goes to the district) or refuses it."""

    permission = "transport.endorse_fieldtrip"
    verb = "endorse"
    waiting = FieldTrip.Status.REQUESTED
    back = "field_trips:list"

    def approve(self, _data: dict[str, Any]) -> FieldTrip:
        return services.field_trip_endorse(trip=self.trip, actor=signed_in(self.request))


class FieldTripDecidePage(_TripDecision):
    """The transport officer approves a field trip, naming a licensed carrier's bus and driver,
    or refuses it."""

    permission = "transport.decide_fieldtrip"
    verb = "decide"
    waiting = FieldTrip.Status.ENDORSED
    back = "transport:field-trips"

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        user = self.request.user
        carriers = list(services.TRIP_CARRIERS)
        return TripDecisionForm(
            data,
            files,
            vehicles=restrict(selectors.vehicle_list(), user, "view")
            .filter(provider__kind__in=carriers)
            .order_by("plate"),
            drivers=restrict(selectors.driver_list(), user, "view")
            .filter(provider__kind__in=carriers)
            .order_by("name", "id"),
        )

    def approve(self, data: dict[str, Any]) -> FieldTrip:
        return services.field_trip_approve(
            trip=self.trip,
            vehicle=data["vehicle"],
            driver=data["driver"],
            actor=signed_in(self.request),
        )


class ReportsPage(Page):
    """Riders against rated load and cost per rider between two days (this month unless
    asked), for the district, then by school, route and run, and what lapses within 30 days;
    each downloadable as an Excel workbook."""

    permission = "transport.view_run"
    title = gettext_lazy("Reports")
    nav = Nav(SECTION, gettext_lazy("Reports"), 67)
    template_name = "transport/reports.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        first, last = month_bounds(today)
        form = SpanForm(self.request.GET if "date_from" in self.request.GET else None)
        start, end = first, last
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        elif not form.is_bound:
            form = SpanForm(initial={"date_from": first, "date_to": last})
        span = urlencode({"date_from": start, "date_to": end, "format": "xlsx"})
        return super().get_context_data(
            form=form,
            report=selectors.transport_report(start, end, today),
            days=selectors.WARNING_DAYS,
            xlsx=f"{reverse('transport-report')}?{span}",
            **kwargs,
        )


# Route plans ------------------------------------------------------------------------------------


class PlansPage(Page):
    """Route plans asked for, newest first, with where each stands."""

    permission = "transport.view_routeplan"
    title = gettext_lazy("Route planning")
    nav = Nav(SECTION, gettext_lazy("Route planning"), 68)
    template_name = "transport/plans.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = restrict(selectors.route_plan_list(), self.request.user, "view")
        return super().get_context_data(
            plans=rows.order_by("-created_at", "-id")[:50],
            can_plan=has_perm(self.request.user, "transport.add_routeplan"),
            **kwargs,
        )


class PlanNewPage(FormPage):
    """Ask the planner for a school's morning routes: its riders' homes, the candidate stops,
    the buses and the latest arrival. The planner runs as a job; the plan's page follows it."""

    permission = "transport.add_routeplan"
    title = gettext_lazy("Plan routes")
    template_name = "transport/plan_new.html"
    form_class = PlanForm

    def get_form_kwargs(self) -> dict[str, Any]:
        user = self.request.user
        return {
            "schools": restrict(School.objects.all(), user, "view").order_by("code"),
            "vehicles": restrict(selectors.vehicle_list(), user, "view").order_by("plate"),
        }

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        # The arrival of a school day: the next weekday.
        day = timezone.localdate() + datetime.timedelta(days=1)
        while day.isoweekday() > 5:
            day += datetime.timedelta(days=1)
        arrival = datetime.datetime.combine(
            day, data["latest_arrival"], timezone.get_current_timezone()
        )
        plan = run(
            form,
            lambda: services.route_plan_request(
                school=data["school"],
                given=services.PlanInput(
                    school_at=(data["school_latitude"], data["school_longitude"]),
                    riders=data["riders"],
                    stops=data["stops"],
                    vehicles=list(data["vehicles"]),
                    latest_arrival=arrival,
                    max_ride_min=data["max_ride_min"],
                    max_walk_m=data["max_walk_m"],
                ),
                actor=signed_in(self.request),
            ),
        )
        if plan is None:
            return None
        return reverse("transport:plan", args=[plan.pk])


def _plan(request: HttpRequest, pk: int, verb: str = "view") -> RoutePlan:
    rows = restrict(selectors.route_plan_list(), request.user, verb)
    return get_object_or_404(rows, pk=pk)


def _adopt_choices(plan: RoutePlan) -> dict[str, Any]:
    """What the form adopting `plan` offers: each of its buses to become a version of one of the
    school's morning routes."""
    buses = plan.proposal["plan"]["routes"] if plan.proposal else []
    routes = selectors.route_list().filter(schools=plan.school, period=Route.Period.MORNING)
    return {"plates": [bus["plate"] for bus in buses], "routes": list(routes)}


@method_decorator(never_cache, "dispatch")
class PlanPage(Page):
    """One plan: while the planner runs, its progress (the page asks again every two seconds,
    htmx swapping it in); then the proposal beside the school's current routes and the
    hand-drawn baseline (kilometres, ride times, buses used), each bus's stops in order with
    their times, and the form that adopts it as new routes."""

    permission = "transport.view_routeplan"
    shows = RoutePlan
    title = gettext_lazy("Route plan")
    template_name = "transport/plan.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = _plan(request, kwargs["pk"])
        context = self.get_context_data(
            plan=plan,
            current=selectors.current_routes_figures(plan) if plan.proposal else None,
            riders=len(plan.problem["riders"]),
            can_adopt=plan.status == RoutePlan.Status.DONE
            and has_perm(request.user, "transport.adopt_routeplan"),
            form=AdoptForm(**_adopt_choices(plan)),
        )
        if getattr(request, "htmx", False):
            return self.response_class(
                request, "transport/includes/plan_result.html", context, using=self.template_engine
            )
        return self.render_to_response(context)


class PlanAdoptPage(FormPage):
    """Adopt a plan as new routes; each needs its bus licence approved before any run."""

    permission = "transport.adopt_routeplan"
    title = gettext_lazy("Adopt the plan")
    template_name = "transport/plan_adopt.html"
    form_class = AdoptForm

    @cached_property
    def plan(self) -> RoutePlan:
        return _plan(self.request, self.kwargs["pk"], "adopt")

    def get_form_kwargs(self) -> dict[str, Any]:
        return _adopt_choices(self.plan)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(plan=self.plan, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, AdoptForm)
        routes = run(
            form,
            lambda: services.route_plan_adopt(
                plan=self.plan,
                code=form.cleaned_data["code"],
                versions_of=form.versions_of(),
                actor=signed_in(self.request),
            ),
        )
        if routes is None:
            return None
        messages.success(
            self.request,
            _(
                "%(count)s routes or route versions. Each needs its bus licence approved before "
                "any run; until then the version before it stays in force."
            )
            % {"count": len(routes)},
        )
        return reverse("transport:routes")
