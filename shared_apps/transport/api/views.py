"""The district's school buses for the transport officer (auditors read): providers, vehicles
with their inspections and device keys, drivers with their offences and qualification on a day,
routes with stops and hazards, licences through their approval, runs, alarms. And the GPS
devices' ingest, which a device key (per vehicle) opens instead of a signed-in user."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from houqin.api.viewsets import RestrictedViewSet
from houqin.db import tenant_db
from houqin.exceptions import InvalidInput
from shared_apps.accounts.actors import signed_in
from shared_apps.transport import filters as f
from shared_apps.transport import selectors, services, telemetry
from shared_apps.transport.api import serializers as s
from shared_apps.transport.models import (
    Alarm,
    Driver,
    FieldTrip,
    Licence,
    Provider,
    Route,
    Run,
    Vehicle,
)
from tenants.models import School

ID = "[0-9]{1,18}"


class _ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    lookup_value_regex = ID
    http_method_names = ["get", "post", "head", "options"]


class ProviderViewSet(_ReadViewSet):
    """Bus providers: the school itself, licensed carriers, county operators; no licence or
    insurance in force, no runs."""

    model = Provider
    serializer_class = s.ProviderSerializer
    filterset_class = f.ProviderFilter
    ordering_fields = ["name", "insurance_expires", "licence_expires"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def safely_get_queryset(self) -> Any:
        return selectors.provider_list()

    @extend_schema(request=s.ProviderCreateSerializer, responses={201: s.ProviderSerializer})
    def create(self, request: Request) -> Response:
        data = s.ProviderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provider = services.provider_create(actor=signed_in(request), **data.validated_data)
        return Response(s.ProviderSerializer(provider).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProviderRenewSerializer, responses=s.ProviderSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Renew the provider's operating licence and insurance."""
        provider = self.get_object()
        data = s.ProviderRenewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provider = services.provider_update(
            provider=provider, actor=signed_in(request), **data.validated_data
        )
        return Response(s.ProviderSerializer(provider).data)


class VehicleViewSet(_ReadViewSet):
    """School buses: type, rated load (at most 56, 45 for kindergarten buses), equipment on
    board, safety inspections every six months, the GPS device's key."""

    model = Vehicle
    serializer_class = s.VehicleSerializer
    filterset_class = f.VehicleFilter
    ordering_fields = ["plate", "inspection_valid_until"]
    action_verbs = {"inspections": "inspect", "equipment": "change", "device_key": "change"}

    def safely_get_queryset(self) -> Any:
        return selectors.vehicle_list()

    @extend_schema(request=s.VehicleCreateSerializer, responses={201: s.VehicleSerializer})
    def create(self, request: Request) -> Response:
        """400 naming the rated load over the limit of the type."""
        data = s.VehicleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        vehicle = services.vehicle_create(
            plate=values["plate"],
            provider=values["provider"],
            kind=values["kind"],
            rated_load=values["rated_load"],
            equipment=services.Equipment(**values["equipment"]),
            actor=signed_in(request),
        )
        return Response(s.VehicleSerializer(vehicle).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.InspectionCreateSerializer, responses={201: s.InspectionSerializer})
    @action(detail=True, methods=["post"])
    def inspections(self, request: Request, pk: str | None = None) -> Response:
        """Record a safety inspection; a passed one holds six months."""
        vehicle = self.get_object()
        data = s.InspectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_record(
            vehicle=vehicle, actor=signed_in(request), **data.validated_data
        )
        return Response(s.InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EquipmentSerializer, responses=s.VehicleSerializer)
    @action(detail=True, methods=["post"])
    def equipment(self, request: Request, pk: str | None = None) -> Response:
        """What is on board now (hammer, extinguisher, first-aid kit, GPS recorder)."""
        vehicle = self.get_object()
        data = s.EquipmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vehicle = services.vehicle_equipment_set(
            vehicle=vehicle, equipment=data.equipment(), actor=signed_in(request)
        )
        return Response(s.VehicleSerializer(vehicle).data)

    @extend_schema(request=None, responses={201: s.DeviceKeySerializer})
    @action(detail=True, methods=["post"], url_path="device-key")
    def device_key(self, request: Request, pk: str | None = None) -> Response:
        """A new key for the vehicle's GPS device, shown once; the previous key stops working."""
        vehicle = self.get_object()
        key = services.vehicle_device_key_issue(vehicle=vehicle, actor=signed_in(request))
        return Response({"device_key": key}, status=status.HTTP_201_CREATED)


class DriverViewSet(_ReadViewSet):
    """School-bus drivers with their offences; qualified or not on a day, each rule named."""

    model = Driver
    serializer_class = s.DriverSerializer
    filterset_class = f.DriverFilter
    ordering_fields = ["name", "born_on"]
    action_verbs = {"offences": "add", "qualification": "view"}

    def safely_get_queryset(self) -> Any:
        return selectors.driver_list()

    @extend_schema(request=s.DriverCreateSerializer, responses={201: s.DriverSerializer})
    def create(self, request: Request) -> Response:
        data = s.DriverCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        driver = services.driver_create(actor=signed_in(request), **data.validated_data)
        return Response(s.DriverSerializer(driver).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.OffenceCreateSerializer, responses={201: s.OffenceSerializer})
    @action(detail=True, methods=["post"])
    def offences(self, request: Request, pk: str | None = None) -> Response:
        """Record an offence or liability against the driver."""
        driver = self.get_object()
        data = s.OffenceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offence = services.offence_record(
            driver=driver, actor=signed_in(request), **data.validated_data
        )
        return Response(s.OffenceSerializer(offence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="The day (default: today).")
        ],
        responses=s.DriverQualificationSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def qualification(self, request: Request, pk: str | None = None) -> Response:
        """The rules of decree 617 art. 23 the driver fails on a day (none: qualified)."""
        driver = self.get_object()
        query = s.DriverQualificationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or timezone.localdate()
        failures = selectors.driver_failures(driver, on)
        return Response(
            s.DriverQualificationSerializer(
                {"on": on, "qualified": not failures, "failures": failures}
            ).data
        )


class RouteViewSet(_ReadViewSet):
    """Routes shared by schools: approved stops in order with their times, hazard segments with
    their mitigation."""

    model = Route
    serializer_class = s.RouteSerializer
    filterset_class = f.RouteFilter
    ordering_fields = ["code"]
    action_verbs = {"hazards": "change", "stop_approve": "change", "version": "change"}

    def safely_get_queryset(self) -> Any:
        return selectors.route_list()

    @extend_schema(request=s.RouteCreateSerializer, responses={201: s.RouteSerializer})
    def create(self, request: Request) -> Response:
        data = s.RouteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["schools"])
        schools = list(School.objects.filter(pk__in=ids))
        if len(schools) != len(ids):
            raise InvalidInput(_("Unknown school."), fields={"schools": sorted(ids)})
        route = services.route_create(
            code=data.validated_data["code"],
            name=data.validated_data["name"],
            period=data.validated_data["period"],
            schools=schools,
            stops=data.stop_inputs(),
            actor=signed_in(request),
        )
        fresh = selectors.route_list().get(pk=route.pk)
        return Response(s.RouteSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RouteVersionSerializer, responses=s.RouteSerializer)
    @action(detail=True, methods=["post"])
    def version(self, request: Request, pk: str | None = None) -> Response:
        """The days the route's version runs: ISO weekdays, and the dates it holds."""
        route = self.get_object()
        data = s.RouteVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.route_version_set(route=route, actor=signed_in(request), **data.validated_data)
        return Response(s.RouteSerializer(selectors.route_list().get(pk=route.pk)).data)

    @extend_schema(request=s.HazardCreateSerializer, responses={201: s.HazardSerializer})
    @action(detail=True, methods=["post"])
    def hazards(self, request: Request, pk: str | None = None) -> Response:
        """A hazard segment (急弯, 陡坡, 临崖, 临水) with its mitigation; 20 km/h there."""
        route = self.get_object()
        data = s.HazardCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hazard = services.hazard_add(route=route, actor=signed_in(request), **data.validated_data)
        return Response(s.HazardSerializer(hazard).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.StopSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"stops/(?P<stop_id>[0-9]{1,18})/approve",
    )
    def stop_approve(self, request: Request, stop_id: str, pk: str | None = None) -> Response:
        """Approve a stop of the route (only approved stops are licensed)."""
        route = self.get_object()
        stop = route.stops.filter(pk=int(stop_id)).first()
        if stop is None:
            raise InvalidInput(_("No such stop on this route."), fields={"stop": [stop_id]})
        stop = services.stop_approve(stop=stop, actor=signed_in(request))
        return Response(s.StopSerializer(stop).data)


class LicenceViewSet(_ReadViewSet):
    """Bus licences (校车标牌): at most six months, never past the vehicle's inspection; the
    bureau forwards within 3 working days, public security and transport answer within 3, the
    bureau decides within 5."""

    model = Licence
    serializer_class = s.LicenceSerializer
    filterset_class = f.LicenceFilter
    ordering_fields = ["valid_until", "number"]
    action_verbs = {"advance": "decide", "runs": "add"}

    def safely_get_queryset(self) -> Any:
        return selectors.licence_list()

    @extend_schema(request=s.LicenceCreateSerializer, responses={201: s.LicenceSerializer})
    def create(self, request: Request) -> Response:
        """400 `licence_six_months` or `licence_past_inspection`."""
        data = s.LicenceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_submit(actor=signed_in(request), **data.validated_data)
        return Response(s.LicenceSerializer(licence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LicenceStepSerializer, responses=s.LicenceSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        """The next step of the approval: forward, answer, approve, or refuse with a reason."""
        licence = self.get_object()
        data = s.LicenceStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_advance(
            licence=licence, actor=signed_in(request), **data.validated_data
        )
        return Response(s.LicenceSerializer(licence).data)

    @extend_schema(request=s.RunsGenerateSerializer, responses={201: s.RunSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def runs(self, request: Request, pk: str | None = None) -> Response:
        """The licence's runs on each day from `start` to `end` its route's version runs and a
        school riding it has school (by each school's calendar); days already run are kept.
        409 naming the day and the rule when one run is refused (then none is made)."""
        licence = self.get_object()
        data = s.RunsGenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        runs = services.runs_generate(
            licence=licence, actor=signed_in(request), **data.validated_data
        )
        return Response(s.RunSerializer(runs, many=True).data, status=status.HTTP_201_CREATED)


class RunViewSet(_ReadViewSet):
    """Runs with their loads; a run is refused (409 naming each rule in `fields.rules`) for an
    overdue inspection, missing equipment, an unlicensed or uninsured provider, a driver failing
    a rule on the run's date, a licence not in force, a vehicle or driver already on a run."""

    model = Run
    serializer_class = s.RunSerializer
    filterset_class = f.RunFilter
    ordering_fields = ["id"]
    action_verbs = {"cancel": "cancel"}

    def safely_get_queryset(self) -> Any:
        return selectors.run_list()

    @extend_schema(request=s.RunCreateSerializer, responses={201: s.RunSerializer})
    def create(self, request: Request) -> Response:
        data = s.RunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.run_schedule(actor=signed_in(request), **data.validated_data)
        return Response(s.RunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.RunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a run no pupil holds a seat on (409 `run_has_riders` otherwise)."""
        run = services.run_cancel(run=self.get_object(), actor=signed_in(request))
        return Response(s.RunSerializer(run).data)


class AlarmViewSet(_ReadViewSet):
    """Alarms raised as GPS points arrive (alarms.py): speeding (80 km/h on highways, 60
    elsewhere, 20 within a hazard segment), off route, a stop away from the approved stops,
    overload, a driver other than the licence's; one per episode, `last_at` its latest point."""

    model = Alarm
    serializer_class = s.AlarmSerializer
    filterset_class = f.AlarmFilter
    ordering_fields = ["at"]

    def safely_get_queryset(self) -> Any:
        return selectors.alarm_list()


class TelemetryView(APIView):
    """A GPS device's batch of points (up to 5000), known by its key in `X-Device-Key`: stored,
    and every alarm rule checked as they arrive. 403 `unknown_device` for an unknown key."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=s.BatchSerializer,
        responses={201: s.IngestedSerializer},
        parameters=[OpenApiParameter("X-Device-Key", str, OpenApiParameter.HEADER, required=True)],
    )
    def post(self, request: Request) -> Response:
        vehicle = telemetry.vehicle_by_key(request.headers.get("X-Device-Key", ""))
        data = s.BatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = telemetry.points_ingest(
            vehicle=vehicle,
            points=[telemetry.PointInput(**point) for point in data.validated_data["points"]],
            actor=telemetry.DEVICES,
        )
        return Response(
            {"points": result.points, "alarms": result.alarms}, status=status.HTTP_201_CREATED
        )


class _FieldTripViewSet(_ReadViewSet):
    model = FieldTrip
    serializer_class = s.FieldTripSerializer
    filterset_class = f.FieldTripFilter
    ordering_fields = ["starts_at", "id"]

    def safely_get_queryset(self) -> Any:
        return selectors.field_trip_list()

    def _respond(self, trip: FieldTrip, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.field_trip_list().here().get(pk=trip.pk)
        return Response(s.FieldTripSerializer(fresh).data, status=code)


class SchoolFieldTripViewSet(_FieldTripViewSet):
    """This school's field trips: asked for by its logistics director at least ten school days
    ahead (409 `field_trip_notice`), approved or refused by its principal, then by the
    district."""

    action_verbs = {"endorse": "endorse", "refuse": "endorse"}

    @extend_schema(request=s.FieldTripCreateSerializer, responses={201: s.FieldTripSerializer})
    def create(self, request: Request) -> Response:
        data = s.FieldTripCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.field_trip_request(
            school=tenant_db().tenant, actor=signed_in(request), **data.validated_data
        )
        return self._respond(trip, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.FieldTripSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request: Request, pk: str | None = None) -> Response:
        """The principal approves the trip: it goes to the district."""
        trip = services.field_trip_endorse(trip=self.get_object(), actor=signed_in(request))
        return self._respond(trip)

    @extend_schema(request=s.RefusalSerializer, responses=s.FieldTripSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        """The principal refuses the trip, with the reason."""
        trip = self.get_object()
        data = s.RefusalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.field_trip_refuse(
            trip=trip,
            at=FieldTrip.Status.REQUESTED,
            reason=data.validated_data["reason"],
            actor=signed_in(request),
        )
        return self._respond(trip)


class FieldTripViewSet(_FieldTripViewSet):
    """Every school's field trips; the transport officer approves those the principals approved,
    naming a licensed carrier's bus and driver (409 naming each rule failed on the trip's day,
    or `vehicle_double_booked`, `driver_double_booked`), or refuses them."""

    action_verbs = {"approve": "decide", "refuse": "decide"}

    @extend_schema(request=s.FieldTripApproveSerializer, responses=s.FieldTripSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        trip = self.get_object()
        data = s.FieldTripApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.field_trip_approve(
            trip=trip, actor=signed_in(request), **data.validated_data
        )
        return self._respond(trip)

    @extend_schema(request=s.RefusalSerializer, responses=s.FieldTripSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        trip = self.get_object()
        data = s.RefusalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.field_trip_refuse(
            trip=trip,
            at=FieldTrip.Status.ENDORSED,
            reason=data.validated_data["reason"],
            actor=signed_in(request),
        )
        return self._respond(trip)
