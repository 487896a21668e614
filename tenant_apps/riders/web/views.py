"""The school buses' pages on a school's host. The escort's, phone first (they stand in the
bus door): today's runs, the pre-trip check, ticking riders on and off stop by stop (htmx),
closing the run. The logistics director's: every run of the day with its riders, escorts and
alarms, and each run's seat chart."""

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.exceptions import ServiceError
from houqin.permissions import has_perm, restrict, roles_of
from houqin.roles import allows_own, grants_of
from houqin.web.pages import Nav, Page
from shared_apps.accounts.actors import signed_in
from tenant_apps.riders import selectors, services
from tenant_apps.riders.models import CheckItem, Rider, Trip
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
        grants = grants_of(roles_of(request.user))
        return has_perm(request.user, VIEW) or allows_own(grants, VIEW)

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


class _TripMixin:
    """A page about one trip the caller may `verb` here (its id in the URL), else 404."""

    request: HttpRequest
    kwargs: dict[str, Any]
    verb = "view"

    @cached_property
    def trip(self) -> Trip:
        found = (
            restrict(selectors.trip_list(), self.request.user, self.verb)
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if found is None:
            raise Http404
        return found


def _trip_context(request: HttpRequest, trip: Trip) -> dict[str, Any]:
    user = request.user
    may = {
        verb: restrict(selectors.trip_list(), user, verb).filter(pk=trip.pk).exists()
        for verb in ("check", "start", "board", "close")
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
