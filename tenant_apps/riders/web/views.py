"""The school buses' pages on a school's host. The escort's, phone first (they stand in the
bus door): today's runs, the pre-trip check, ticking riders on and off stop by stop (htmx),
closing the run, and an incident on it reported and its steps ticked. The logistics director's:
every run of the day with its riders, escorts and alarms, and each run's seat chart; the
incidents (with how many minutes each step took) closed with a summary; the drills, with a
warning while the semester has none; the training records, with who has had none for a year;
the boarding terminals, each registered with a key shown once, and revoked."""

from datetime import timedelta
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from houqin.exceptions import ServiceError
from houqin.months import add_months
from houqin.permissions import has_perm, restrict, roles_of
from houqin.roles import allows_own, grants_of
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from tenant_apps.riders import filters, selectors, services
from tenant_apps.riders.models import CheckItem, Incident, Rider, Terminal, Trip
from tenant_apps.riders.web import forms as f
from tenant_apps.riders.web.forms import CheckForm, PassageForm

SECTION = gettext_lazy("School buses")
VIEW = "riders.view_trip"


class TodayPage(Page):
    """Today's runs the caller may see (an escort: their own), each with its riders, who is on
    board, and its state; for the logistics director the day's alarms too."""

    title = gettext_lazy("Today's runs")
    nav = Nav(SECTION, gettext_lazy("Today's runs"), 10)
    template_name = "riders/today.html"

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        return _sees(request, VIEW)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        trips = restrict(selectors.trip_day(today), self.request.user, "view")
        alarms = (
            selectors.alarm_list().filter(raised_at__date=today)
            if has_perm(self.request.user, "riders.view_alarm")
            else None
        )
        return super().get_context_data(
            trips=trips,
            alarms=alarms,
            day=today,
            charts=has_perm(self.request.user, VIEW),
            **kwargs,
        )


def _sees(request: HttpRequest, perm: str) -> bool:
    """Whether the caller may see all of `perm`'s rows, or (an escort) their own."""
    grants = grants_of(roles_of(request.user))
    return has_perm(request.user, perm) or allows_own(grants, perm)


class _TripMixin:
    """A page about one trip the caller may `verb` here (its id in the URL), else 404."""

    request: HttpRequest
    kwargs: dict[str, Any]
    verb = "view"

    @cached_property
    def trip(self) -> Trip:
        rows = restrict(selectors.trip_list(), self.request.user, self.verb)
        return get_object_or_404(rows, pk=self.kwargs["pk"])


def _trip_context(request: HttpRequest, trip: Trip) -> dict[str, Any]:
    user = request.user
    may = {
        verb: restrict(selectors.trip_list(), user, verb).filter(pk=trip.pk).exists()
        for verb in ("check", "start", "board", "close", "report")
    }
    riders = list(selectors.trip_riders(trip))
    stops = []
    for stop in selectors.run_stops(trip):
        mine = [rider for rider in riders if rider.stop_ref == stop.pk]
        if mine:
            stops.append((stop, mine))
    unstopped = [rider for rider in riders if rider.stop_ref is None]
    boarded, aboard = selectors.trip_counts(trip)
    return {
        "trip": trip,
        "may": may,
        "stops": stops,
        "unstopped": unstopped,
        "boarded": boarded,
        "on_board": aboard,
        "alarms": selectors.trip_alarms(trip, aboard),
        "raised": (
            selectors.alarm_list().filter(trip=trip).count()
            if trip.status == Trip.Status.CLOSED
            else 0
        ),
        "incidents": restrict(selectors.incident_list(), user, "view").filter(trip=trip),
    }


class TripPage(_TripMixin, Page):
    """One run: before it starts, the pre-trip check and the start; under way, its riders stop
    by stop, ticked on and off, and the close; closed, what happened."""

    title = gettext_lazy("Bus run")
    template_name = "riders/trip.html"
    shows = Trip

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        trip = self.trip
        ticks = selectors.checklist(trip)
        head = next(t for t in ticks if t.item == CheckItem.Item.HEAD_COUNT)
        initial: dict[str, Any] = {t.item: t.passed for t in ticks}
        initial["count"] = head.checked.count if head.checked else trip.riders_count  # type: ignore[attr-defined]
        return super().get_context_data(
            ticks=ticks,
            form=CheckForm(initial=initial),
            **_trip_context(self.request, trip),
            **kwargs,
        )


class _ActPage(_TripMixin, Page):
    """A POST-only act on a trip, back to the trip's page (what was refused said there)."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            # A trip the caller may not act on is not found, whatever the method.
            _found = self.trip
        return super().dispatch(request, *args, **kwargs)

    def back(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("riders:trip", args=[self.trip.pk]))

    def refused(self, error: ServiceError) -> HttpResponseRedirect:
        messages.error(self.request, error.message)
        return self.back()


class CheckPage(_ActPage):
    """Every item of the pre-trip check ticked as the form says."""

    verb = "check"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        trip = self.trip
        form = CheckForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Count the heads on board."))
            return self.back()
        actor = signed_in(request)
        try:
            for item in CheckItem.Item:
                services.check_tick(
                    trip=trip,
                    item=item,
                    passed=form.cleaned_data[item.value],
                    count=form.cleaned_data["count"] if item == CheckItem.Item.HEAD_COUNT else None,
                    actor=actor,
                )
        except ServiceError as error:
            return self.refused(error)
        messages.success(request, _("The check is saved."))
        return self.back()


class StartPage(_ActPage):
    verb = "start"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.trip_start(trip=self.trip, actor=signed_in(request))
        except ServiceError as error:
            return self.refused(error)
        messages.success(request, _("The run has started."))
        return self.back()


class PassagePage(_ActPage):
    """A rider ticked on or off the bus: with htmx, the riders' list again (what was refused
    said above it); without, back to the run's page."""

    verb = "board"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        trip = self.trip
        form = PassageForm(request.POST)
        refusal = _("Choose a rider and whether they got on or off.")
        if form.is_valid():
            rider = selectors.rider_list().filter(trip=trip, pk=form.cleaned_data["rider"]).first()
            refusal = _("This rider is not on this run.") if rider is None else ""
            if rider is not None:
                refusal = _record(request, trip, rider, form)
        if not request.htmx:  # type: ignore[attr-defined]
            if refusal:
                messages.error(request, refusal)
            return self.back()
        context = _trip_context(request, selectors.trip_list().get(pk=trip.pk))
        return render(request, "riders/includes/riders.html", {**context, "refusal": refusal})


def _record(request: HttpRequest, trip: Trip, rider: Rider, form: forms.Form) -> str:
    """Tick `rider` as the form says (at their own stop); what was refused, else nothing."""
    try:
        services.passage_record(
            trip=trip,
            student=rider.student,
            kind=form.cleaned_data["kind"],
            occurred_at=timezone.now(),
            actor=signed_in(request),
        )
    except ServiceError as error:
        return error.message
    return ""


class ClosePage(_ActPage):
    verb = "close"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            closing = services.trip_close(trip=self.trip, actor=signed_in(request))
        except ServiceError as error:
            return self.refused(error)
        if closing.refusal is not None:
            return self.refused(closing.refusal)
        messages.success(request, _("The run is closed: everyone got off."))
        return self.back()


class ChartPage(_TripMixin, Page):
    """The run's seats for pupils: the school's riders in theirs, other schools' taken, free."""

    permission = VIEW
    title = gettext_lazy("Seat chart")
    template_name = "riders/chart.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            trip=self.trip, seats=selectors.seat_chart(self.trip), **kwargs
        )


# Incidents ---------------------------------------------------------------------------------------

INCIDENT = "riders.view_incident"


class ReportPage(_TripMixin, FormPage):
    """An incident on the run, reported by its escort on the phone; then its steps."""

    title = gettext_lazy("Report an incident")
    template_name = "riders/form.html"
    form_class = f.ReportForm
    verb = "report"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"initial": {"occurred_at": timezone.localtime()}}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(trip=self.trip, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        incident = run(
            form,
            lambda: services.incident_report(
                trip=self.trip, actor=signed_in(self.request), **form.cleaned_data
            ),
        )
        if incident is None:
            return None
        messages.success(self.request, _("The incident is reported: record its steps."))
        return reverse("riders:incident", args=[incident.pk])


class IncidentsPage(Page):
    """The incidents (an escort: on their own runs), with how many minutes after the incident
    each step was done, filtered by date."""

    title = gettext_lazy("Bus incidents")
    nav = Nav(SECTION, gettext_lazy("Incidents"), 20)
    template_name = "riders/incidents.html"

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        return _sees(request, INCIDENT)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            restrict(selectors.incident_list(), request.user, "view"),
            filters.IncidentFilter,
            sorts={"occurred_at": _("occurred at")},
            default_sort="-occurred_at",
        )
        rows = [(incident, selectors.incident_steps(incident)) for incident in found.page]
        return self.render_to_response(
            self.get_context_data(
                listing=found,
                rows=rows,
                steps=Incident.Step,
                adds=has_perm(request.user, "riders.add_incident"),
            )
        )


class IncidentAddPage(FormPage):
    """An incident on a trip of the last week, or on a bus of the school's routes."""

    permission = "riders.add_incident"
    title = gettext_lazy("Record an incident")
    template_name = "riders/form.html"
    form_class = f.IncidentForm

    def get_form_kwargs(self) -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "trips": selectors.trips_between(today - timedelta(days=7), today),
            "vehicles": selectors.school_vehicles(),
            "initial": {"occurred_at": timezone.localtime()},
        }

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        incident = run(
            form,
            lambda: services.incident_report(actor=signed_in(self.request), **form.cleaned_data),
        )
        if incident is None:
            return None
        messages.success(self.request, _("The incident is recorded."))
        return reverse("riders:incident", args=[incident.pk])


class _IncidentMixin:
    """A page about one incident the caller may `verb` here (its id in the URL), else 404."""

    request: HttpRequest
    kwargs: dict[str, Any]
    verb = "view"

    @cached_property
    def incident(self) -> Incident:
        rows = restrict(selectors.incident_list(), self.request.user, self.verb)
        return get_object_or_404(rows, pk=self.kwargs["pk"])


def _incident_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    steps = selectors.incident_steps(incident)
    open_ = incident.closed_at is None
    may_step = (
        open_
        and restrict(selectors.incident_list(), request.user, "step")
        .filter(pk=incident.pk)
        .exists()
    )
    now = timezone.localtime()
    forms_ = []
    for done in steps:
        if may_step and done.at is None:
            form = f.StepForm(initial={"step": done.step, "at": now}, prefix=done.step)
            form.fields["at"].label = _("%(step)s at") % {"step": done.label}
            forms_.append((done, form))
    closes = (
        open_
        and all(done.at is not None for done in steps)
        and has_perm(request.user, "riders.close_incident")
    )
    return {
        "incident": incident,
        "steps": steps,
        "step_forms": forms_,
        "close_form": f.IncidentCloseForm() if closes else None,
    }


class IncidentPage(_IncidentMixin, Page):
    """One incident: what happened, its steps with their times (the open ones to record), and
    (every step done) the director's close with a summary."""

    title = gettext_lazy("Bus incident")
    template_name = "riders/incident.html"
    shows = Incident

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        return _sees(request, INCIDENT)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**_incident_context(self.request, self.incident), **kwargs)


class _IncidentActPage(_IncidentMixin, Page):
    """A POST-only act on an incident, back to its page (what was refused said there)."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            # An incident the caller may not act on is not found, whatever the method.
            _found = self.incident
        return super().dispatch(request, *args, **kwargs)

    def back(self, error: str = "") -> HttpResponseRedirect:
        if error:
            messages.error(self.request, error)
        return HttpResponseRedirect(reverse("riders:incident", args=[self.incident.pk]))


class StepPage(_IncidentActPage):
    """A step recorded as done: with htmx, the steps again (what was refused said above them);
    without, back to the incident's page."""

    verb = "step"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = request.POST.get("step", "")
        form = f.StepForm(request.POST, prefix=step if step in Incident.Step.values else None)
        refusal = _("Give the time the step was done.")
        if form.is_valid():
            refusal = ""
            try:
                services.incident_step(
                    incident=self.incident, actor=signed_in(request), **form.cleaned_data
                )
            except ServiceError as error:
                refusal = error.message
        if not request.htmx:  # type: ignore[attr-defined]
            return self.back(refusal)
        incident = selectors.incident_list().get(pk=self.incident.pk)
        context = {**_incident_context(request, incident), "refusal": refusal}
        return render(request, "riders/includes/steps.html", context)


class IncidentClosePage(_IncidentActPage):
    verb = "close"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = f.IncidentCloseForm(request.POST)
        if not form.is_valid():
            return self.back(_("Write the summary."))
        try:
            services.incident_close(
                incident=self.incident, actor=signed_in(request), **form.cleaned_data
            )
        except ServiceError as error:
            return self.back(error.message)
        messages.success(request, _("The incident is closed."))
        return self.back()


# Drills and training -----------------------------------------------------------------------------


class DrillsPage(Page):
    """The drills held, filtered by date; a warning while the current semester has none, and
    the semesters of the last two years without one."""

    permission = "riders.view_drill"
    title = gettext_lazy("Bus drills")
    nav = Nav(SECTION, gettext_lazy("Drills"), 30)
    template_name = "riders/drills.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            restrict(selectors.drill_list(), request.user, "view"),
            filters.DrillFilter,
            sorts={"day": _("date")},
            default_sort="-day",
        )
        today = timezone.localdate()
        return self.render_to_response(
            self.get_context_data(
                listing=found,
                current=selectors.current_semester(today),
                missing=selectors.semesters_without_drill(add_months(today, -24), today),
                adds=has_perm(request.user, "riders.add_drill"),
            )
        )


class DrillAddPage(FormPage):
    permission = "riders.add_drill"
    title = gettext_lazy("Record a drill")
    template_name = "riders/form.html"
    form_class = f.DrillForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"vehicles": selectors.school_vehicles(), "initial": {"day": timezone.localdate()}}

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        drill = run(
            form, lambda: services.drill_record(actor=signed_in(self.request), **form.cleaned_data)
        )
        if drill is None:
            return None
        messages.success(self.request, _("The drill is recorded."))
        return reverse("riders:drills")


class TrainingPage(Page):
    """The training records, filtered by date, and the drivers and escorts with no training in
    the last twelve months."""

    permission = "riders.view_training"
    title = gettext_lazy("Bus safety training")
    nav = Nav(SECTION, gettext_lazy("Training"), 40)
    template_name = "riders/training.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            restrict(selectors.training_list(), request.user, "view"),
            filters.TrainingFilter,
            sorts={"day": _("date")},
            default_sort="-day",
        )
        return self.render_to_response(
            self.get_context_data(
                listing=found,
                untrained=selectors.untrained(timezone.localdate()),
                adds=has_perm(request.user, "riders.add_training"),
            )
        )


class TrainingAddPage(FormPage):
    permission = "riders.add_training"
    title = gettext_lazy("Record a training")
    template_name = "riders/form.html"
    form_class = f.TrainingForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            "drivers": selectors.school_drivers(),
            "escorts": selectors.school_escorts(),
            "initial": {"day": timezone.localdate()},
        }

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        training = run(
            form,
            lambda: services.training_record(actor=signed_in(self.request), **form.cleaned_data),
        )
        if training is None:
            return None
        messages.success(self.request, _("The training is recorded."))
        return reverse("riders:training")


# Boarding terminals ------------------------------------------------------------------------------


class TerminalsPage(Page):
    """The school's boarding terminals: each device, who registered it and when, and whether its
    key is revoked (revoked, it opens nothing)."""

    permission = "riders.view_terminal"
    title = gettext_lazy("Boarding terminals")
    nav = Nav(SECTION, gettext_lazy("Terminals"), 50)
    template_name = "riders/terminals.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            terminals=restrict(selectors.terminal_list(), user, "view"),
            adds=has_perm(user, "riders.add_terminal"),
            revokes=has_perm(user, "riders.revoke_terminal"),
            **kwargs,
        )


@method_decorator(never_cache, "dispatch")
class TerminalAddPage(FormPage):
    """Register a terminal: its key is shown on the answer, once (only its hash is kept), to be
    typed into the device."""

    permission = "riders.add_terminal"
    title = gettext_lazy("Register a terminal")
    template_name = "riders/form.html"
    form_class = f.TerminalForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form(request.POST)
        issued = None
        if form.is_valid():
            issued = run(
                form,
                lambda: services.terminal_register(
                    device=form.cleaned_data["device"], actor=signed_in(request)
                ),
            )
        if issued is None:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        terminal, key = issued
        return render(
            request,
            "riders/terminal_key.html",
            self.get_context_data(title=_("The terminal's key"), terminal=terminal, key=key),
        )


class TerminalRevokePage(Page):
    """Revoke a terminal's key (POST only), back to the terminals."""

    permission = "riders.revoke_terminal"
    http_method_names = ["post"]

    @cached_property
    def terminal(self) -> Terminal:
        rows = restrict(selectors.terminal_list(), self.request.user, "revoke")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            # A terminal the caller may not revoke is not found, whatever the method.
            _found = self.terminal
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        terminal = self.terminal
        try:
            services.terminal_revoke(terminal=terminal, actor=signed_in(request))
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The key of %(device)s is revoked.") % {"device": terminal.device}
            )
        return HttpResponseRedirect(reverse("riders:terminals"))
