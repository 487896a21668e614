"""A school's bus riders: seated on the district's runs through the shared ledger, listed per
run, and each run's seat chart; the escorts put on the runs; the run as its escort works it
(the pre-trip check, starting, boarding and alighting from terminals or ticked, closing); the
alarms raised when someone was still on board or an escort swapped; the boarding terminals,
registered and revoked, posting passages with keys of their own. Safety: incidents (reported on
a trip by its escort, or by the logistics director), their timed steps and closing; drills and
the semesters without one; training records and who has had none for twelve months."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from houqin.api.viewsets import RestrictedViewSet
from houqin.months import add_months
from shared_apps.accounts.actors import signed_in
from tenant_apps.riders import selectors, services
from tenant_apps.riders.api import serializers as s
from tenant_apps.riders.filters import (
    AlarmFilter,
    DrillFilter,
    EscortFilter,
    IncidentFilter,
    PassageFilter,
    RiderFilter,
    TerminalFilter,
    TrainingFilter,
    TripFilter,
)
from tenant_apps.riders.models import (
    Alarm,
    Drill,
    Escort,
    Incident,
    Passage,
    Rider,
    Terminal,
    Training,
    Trip,
)


class RiderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    RestrictedViewSet,
):
    model = Rider
    serializer_class = s.RiderSerializer
    filterset_class = RiderFilter
    ordering_fields = ["id", "seat"]

    def safely_get_queryset(self) -> QuerySet[Rider]:
        return selectors.rider_list()

    @extend_schema(request=s.RiderCreateSerializer, responses={201: s.RiderSerializer})
    def create(self, request: Request) -> Response:
        data = s.RiderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rider = services.rider_assign(actor=signed_in(request), **data.validated_data)
        rider = selectors.rider_list().get(pk=rider.pk)
        return Response(s.RiderSerializer(rider).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Rider) -> None:
        services.rider_remove(rider=instance, actor=signed_in(self.request))


class TripViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The runs the school's riders ride, with their seat charts; for the escorts on them (their
    own only) and the logistics director, the pre-trip check, the start, the riders boarding and
    alighting, and the close."""

    model = Trip
    serializer_class = s.TripSerializer
    filterset_class = TripFilter
    ordering_fields = ["id"]
    action_verbs = {
        "chart": "view",
        "check": "view",
        "check_tick": "check",
        "start": "start",
        "passages": "board",
        "close": "close",
        "incidents": "report",
    }

    def safely_get_queryset(self) -> QuerySet[Trip]:
        return selectors.trip_list()

    def _answer(self, trip: Trip, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.TripSerializer(selectors.trip_list().get(pk=trip.pk)).data, status=code)

    @extend_schema(responses=s.ChartSeatSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def chart(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The run's seats for pupils: this school's riders, seats of other schools, free."""
        chart = selectors.seat_chart(self.get_object())
        return Response(s.ChartSeatSerializer(chart, many=True).data)

    @extend_schema(responses=s.TickSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def check(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The pre-trip check: every item, with its last tick."""
        return Response(s.TickSerializer(selectors.checklist(self.get_object()), many=True).data)

    @extend_schema(request=s.CheckTickSerializer, responses=s.CheckItemSerializer)
    @check.mapping.post
    def check_tick(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Tick one item of the pre-trip check (again, until the run starts)."""
        trip = self.get_object()
        data = s.CheckTickSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checked = services.check_tick(trip=trip, actor=signed_in(request), **data.validated_data)
        return Response(s.CheckItemSerializer(checked).data)

    @extend_schema(request=None, responses=s.TripSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the run: 409 `check_open` naming the items of the check still open."""
        return self._answer(services.trip_start(trip=self.get_object(), actor=signed_in(request)))

    @extend_schema(request=s.PassageTickSerializer, responses={201: s.PassageSerializer})
    @action(detail=True, methods=["post"])
    def passages(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The escort's tick of a rider boarding or alighting (terminals post with their own
        keys, at /riders/terminal/passages/); refused: `wrong_bus`, `not_a_rider`, `wrong_stop`,
        `not_on_board`, `recorded_already`, `trip_not_started`, `trip_closed`."""
        trip = self.get_object()
        data = s.PassageTickSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        recorded = services.passage_record(
            trip=trip, student=fields.pop("student_number"), actor=signed_in(request), **fields
        )
        passage = selectors.passage_list().get(pk=recorded.passage.pk)
        return Response(s.PassageSerializer(passage).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.TripSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Close the run: 409 `still_on_board` while fewer got off than got on (the alarm to
        the school and the notices to the guardians are kept)."""
        closing = services.trip_close(trip=self.get_object(), actor=signed_in(request))
        if closing.refusal is not None:
            raise closing.refusal
        return self._answer(closing.trip)

    @extend_schema(request=s.TripIncidentSerializer, responses={201: s.IncidentSerializer})
    @action(detail=True, methods=["post"])
    def incidents(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Report an incident on the run (its escort, from the phone)."""
        trip = self.get_object()
        data = s.TripIncidentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_report(
            trip=trip, actor=signed_in(request), **data.validated_data
        )
        incident = selectors.incident_list().get(pk=incident.pk)
        return Response(s.IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class EscortViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    RestrictedViewSet,
):
    """The school's bus escorts put on the runs it rides."""

    model = Escort
    serializer_class = s.EscortSerializer
    filterset_class = EscortFilter
    ordering_fields = ["id"]

    def safely_get_queryset(self) -> QuerySet[Escort]:
        return selectors.escort_list()

    @extend_schema(request=s.EscortCreateSerializer, responses={201: s.EscortSerializer})
    def create(self, request: Request) -> Response:
        data = s.EscortCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        escort = services.escort_assign(actor=signed_in(request), **data.validated_data)
        escort = selectors.escort_list().get(pk=escort.pk)
        return Response(s.EscortSerializer(escort).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Escort) -> None:
        services.escort_remove(escort=instance, actor=signed_in(self.request))


class PassageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Who boarded and alighted, when and where (recorded through the trips)."""

    model = Passage
    serializer_class = s.PassageSerializer
    filterset_class = PassageFilter
    ordering_fields = ["id", "occurred_at"]

    def safely_get_queryset(self) -> QuerySet[Passage]:
        return selectors.passage_list()


class AlarmViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Runs that were to close with riders still on board, and escort swaps."""

    model = Alarm
    serializer_class = s.AlarmSerializer
    filterset_class = AlarmFilter
    ordering_fields = ["id", "raised_at"]

    def safely_get_queryset(self) -> QuerySet[Alarm]:
        return selectors.alarm_list()


class TerminalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The school's boarding terminals, each with its own key (answered once, when registered),
    revoked by the logistics director."""

    model = Terminal
    serializer_class = s.TerminalSerializer
    filterset_class = TerminalFilter
    ordering_fields = ["id", "device"]
    action_verbs = {"revoke": "revoke"}

    def safely_get_queryset(self) -> QuerySet[Terminal]:
        return selectors.terminal_list()

    @extend_schema(request=s.TerminalCreateSerializer, responses={201: s.TerminalIssuedSerializer})
    def create(self, request: Request) -> Response:
        data = s.TerminalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        terminal, key = services.terminal_register(
            device=data.validated_data["device"], actor=signed_in(request)
        )
        issued = {"terminal": selectors.terminal_list().get(pk=terminal.pk), "key": key}
        return Response(s.TerminalIssuedSerializer(issued).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.TerminalSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke the terminal's key: from now on it opens nothing (401)."""
        terminal = services.terminal_revoke(terminal=self.get_object(), actor=signed_in(request))
        return Response(s.TerminalSerializer(selectors.terminal_list().get(pk=terminal.pk)).data)


class TerminalKey(BaseAuthentication):
    """A boarding terminal known by its key in `X-Terminal-Key`, among this school's terminals:
    a key unknown here (another school's too) or revoked is refused (401)."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, Terminal]:
        terminal = selectors.terminal_by_key(request.headers.get("X-Terminal-Key", ""))
        if terminal is None:
            raise AuthenticationFailed(_("Unknown or revoked terminal key."))
        return AnonymousUser(), terminal

    def authenticate_header(self, request: Request) -> str:
        return "Terminal-Key"


class TerminalKeyScheme(OpenApiAuthenticationExtension):
    """The terminal's key in the API's schema."""

    target_class = TerminalKey
    name = "terminalKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Terminal-Key",
            "description": "A boarding terminal's key, shown once when the director registers it.",
        }


TERMINAL_KEY = OpenApiParameter("X-Terminal-Key", str, OpenApiParameter.HEADER, required=True)


class _TerminalView(APIView):
    """A view a boarding terminal calls with its own key (`request.auth`, the terminal)."""

    authentication_classes = [TerminalKey]
    permission_classes = [AllowAny]


class TerminalPassageView(_TerminalView):
    """A boarding terminal's event, known by its key in `X-Terminal-Key`: recorded as the
    escorts' API records it (once per event id: sent again, 200 with the original; the wrong
    bus and the wrong stop refused, the guardians told)."""

    @extend_schema(
        request=s.TerminalPassageSerializer,
        responses={201: s.PassageSerializer, 200: s.PassageSerializer},
        parameters=[TERMINAL_KEY],
    )
    def post(self, request: Request) -> Response:
        terminal = request.auth
        assert isinstance(terminal, Terminal)
        data = s.TerminalPassageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        recorded = services.passage_record(
            trip=fields.pop("trip"),
            student=fields.pop("student_number"),
            device=terminal.device,
            actor=services.TERMINALS,
            **fields,
        )
        passage = selectors.passage_list().get(pk=recorded.passage.pk)
        return Response(
            s.PassageSerializer(passage).data,
            status=status.HTTP_201_CREATED if recorded.made else status.HTTP_200_OK,
        )


class TerminalReportView(_TerminalView):
    """A boarding terminal's report of many events on one trip, known by its key in
    `X-Terminal-Key`: one row per event, in order (`accepted`, `duplicate` with the original, or
    the rule that refused it); 400 for a malformed event and 409 for a trip not under way,
    nothing saved."""

    @extend_schema(
        request=s.TerminalReportSerializer,
        responses=s.PassageRowSerializer(many=True),
        parameters=[TERMINAL_KEY],
    )
    def post(self, request: Request) -> Response:
        terminal = request.auth
        assert isinstance(terminal, Terminal)
        data = s.TerminalReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = services.passages_record(
            trip=data.validated_data["trip"],
            events=[
                services.PassageEvent(device=terminal.device, **event)
                for event in data.validated_data["events"]
            ],
            actor=services.TERMINALS,
        )
        return Response(s.PassageRowSerializer(rows, many=True).data)


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """School-bus incidents with their timed steps (an escort: those of their own runs), each
    step recorded once; closed by the logistics director with a summary once every step is
    done."""

    model = Incident
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter
    ordering_fields = ["id", "occurred_at"]
    action_verbs = {"steps": "step"}

    def safely_get_queryset(self) -> QuerySet[Incident]:
        return selectors.incident_list()

    def _answer(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        incident = selectors.incident_list().get(pk=incident.pk)
        return Response(s.IncidentSerializer(incident).data, status=code)

    @extend_schema(request=s.IncidentInSerializer, responses={201: s.IncidentSerializer})
    def create(self, request: Request) -> Response:
        """An incident on a trip, or (none) on a bus of the school's routes: 400 `not_our_bus`,
        `in_the_future`."""
        data = s.IncidentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_report(actor=signed_in(request), **data.validated_data)
        return self._answer(incident, status.HTTP_201_CREATED)

    @extend_schema(request=s.StepInSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def steps(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record one step as done at a time: 409 `step_recorded`, `incident_closed`; 400
        `before_incident`, `in_the_future`."""
        incident = self.get_object()
        data = s.StepInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.incident_step(
            incident=incident, actor=signed_in(request), **data.validated_data
        )
        return self._answer(done)

    @extend_schema(request=s.IncidentCloseSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Close with a summary: 409 `steps_open` naming the steps still to record."""
        incident = self.get_object()
        data = s.IncidentCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closed = services.incident_close(
            incident=incident, actor=signed_in(request), **data.validated_data
        )
        return self._answer(closed)


class DrillViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The school's emergency drills on its buses, and its semesters with their drills (at
    least one each)."""

    model = Drill
    serializer_class = s.DrillSerializer
    filterset_class = DrillFilter
    ordering_fields = ["id", "day"]
    action_verbs = {"semesters": "view"}

    def safely_get_queryset(self) -> QuerySet[Drill]:
        return selectors.drill_list()

    @extend_schema(request=s.DrillInSerializer, responses={201: s.DrillSerializer})
    def create(self, request: Request) -> Response:
        data = s.DrillInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drill = services.drill_record(actor=signed_in(request), **data.validated_data)
        drill = selectors.drill_list().get(pk=drill.pk)
        return Response(s.DrillSerializer(drill).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[s.SemesterQuerySerializer], responses=s.SemesterSerializer(many=True)
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def semesters(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The semesters meeting the range, each with its drills (none: the rule is broken)."""
        query = s.SemesterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        end = query.validated_data.get("period_to") or timezone.localdate()
        start = query.validated_data.get("period_from") or add_months(end, -24)
        found = selectors.semesters(start, end)
        return Response(s.SemesterSerializer(found, many=True).data)


class TrainingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Training records of the drivers on the school's routes and of its bus escorts, and who
    has had none in the last twelve months."""

    model = Training
    serializer_class = s.TrainingSerializer
    filterset_class = TrainingFilter
    ordering_fields = ["id", "day"]
    action_verbs = {"untrained": "view"}

    def safely_get_queryset(self) -> QuerySet[Training]:
        return selectors.training_list()

    @extend_schema(request=s.TrainingInSerializer, responses={201: s.TrainingSerializer})
    def create(self, request: Request) -> Response:
        """400 `not_our_driver`, `not_an_escort`, `in_the_future`."""
        data = s.TrainingInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        training = services.training_record(actor=signed_in(request), **data.validated_data)
        training = selectors.training_list().get(pk=training.pk)
        return Response(s.TrainingSerializer(training).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.UntrainedSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def untrained(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The drivers on the school's routes and its escorts with no training in the last
        twelve months."""
        found = selectors.untrained(timezone.localdate())
        return Response(s.UntrainedSerializer(found, many=True).data)
