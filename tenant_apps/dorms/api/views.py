"""A school's boarding: dormitory rooms and beds, and who sleeps where."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.viewsets import RestrictedViewSet
from shared_apps.accounts.actors import signed_in
from tenant_apps.dorms import filters as f
from tenant_apps.dorms import selectors
from tenant_apps.dorms.api import serializers as s
from tenant_apps.dorms.models import Allocation, Bed, Building, Floor, Room
from tenant_apps.dorms.services import allocations, rooms


class _Readable(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Listed and read; each subclass writes through its services."""


class BuildingViewSet(_Readable):
    model = Building
    serializer_class = s.BuildingSerializer
    ordering_fields = ["id", "code"]

    def safely_get_queryset(self) -> QuerySet[Building]:
        return selectors.building_list()

    @extend_schema(request=s.BuildingSerializer, responses={201: s.BuildingSerializer})
    def create(self, request: Request) -> Response:
        data = s.BuildingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        building = rooms.building_create(actor=signed_in(request), **data.validated_data)
        return Response(s.BuildingSerializer(building).data, status=status.HTTP_201_CREATED)


class FloorViewSet(_Readable):
    model = Floor
    serializer_class = s.FloorSerializer
    ordering_fields = ["id", "level"]
    filterset_class = f.FloorFilter

    def safely_get_queryset(self) -> QuerySet[Floor]:
        return selectors.floor_list()

    @extend_schema(request=s.FloorSerializer, responses={201: s.FloorSerializer})
    def create(self, request: Request) -> Response:
        data = s.FloorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        floor = rooms.floor_create(actor=signed_in(request), **data.validated_data)
        return Response(s.FloorSerializer(floor).data, status=status.HTTP_201_CREATED)


class RoomViewSet(_Readable):
    """Rooms with their beds in service and today's occupancy."""

    model = Room
    serializer_class = s.RoomSerializer
    ordering_fields = ["id", "number"]
    filterset_class = f.RoomFilter

    def safely_get_queryset(self) -> QuerySet[Room]:
        return selectors.room_list(on=timezone.localdate())

    @extend_schema(request=s.RoomSerializer, responses={201: s.RoomSerializer})
    def create(self, request: Request) -> Response:
        data = s.RoomSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = rooms.room_create(actor=signed_in(request), **data.validated_data)
        return Response(self._read(room.pk), status=status.HTTP_201_CREATED)

    def _read(self, pk: int) -> Any:
        return s.RoomSerializer(self.safely_get_queryset().get(pk=pk)).data


class BedViewSet(_Readable):
    model = Bed
    serializer_class = s.BedSerializer
    ordering_fields = ["id", "number"]
    filterset_class = f.BedFilter
    action_verbs = {"service": "service"}

    def safely_get_queryset(self) -> QuerySet[Bed]:
        return selectors.bed_list()

    @extend_schema(request=s.BedSerializer, responses={201: s.BedSerializer})
    def create(self, request: Request) -> Response:
        data = s.BedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bed = rooms.bed_create(actor=signed_in(request), **data.validated_data)
        return Response(s.BedSerializer(bed).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.BedServiceSerializer, responses=s.BedSerializer)
    @action(detail=True, methods=["post"])
    def service(self, request: Request, pk: str | None = None) -> Response:
        data = s.BedServiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bed = rooms.bed_service_set(
            bed=self.get_object(), actor=signed_in(request), **data.validated_data
        )
        return Response(s.BedSerializer(bed).data)


class AllocationViewSet(_Readable):
    """Who sleeps in which bed, from when until when: history kept, never overwritten."""

    model = Allocation
    serializer_class = s.AllocationSerializer
    ordering_fields = ["id", "start_date"]
    filterset_class = f.AllocationFilter
    action_verbs = {"end": "end", "move": "end", "bulk": "bulk"}

    def safely_get_queryset(self) -> QuerySet[Allocation]:
        return selectors.allocation_list()

    @extend_schema(request=s.AllocationCreateSerializer, responses={201: s.AllocationSerializer})
    def create(self, request: Request) -> Response:
        data = s.AllocationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = allocations.allocation_create(actor=signed_in(request), **data.validated_data)
        return Response(s.AllocationSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AllocationEndSerializer, responses=s.AllocationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        data = s.AllocationEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = allocations.allocation_end(
            allocation=self.get_object(), actor=signed_in(request), **data.validated_data
        )
        return Response(s.AllocationSerializer(ended).data)

    @extend_schema(request=s.AllocationMoveSerializer, responses={201: s.AllocationSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        data = s.AllocationMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = allocations.allocation_move(
            allocation=self.get_object(), actor=signed_in(request), **data.validated_data
        )
        return Response(s.AllocationSerializer(moved).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.BulkAllocationSerializer, responses=s.BulkRowSerializer(many=True))
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = s.BulkAllocationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = allocations.allocation_bulk(actor=signed_in(request), **data.validated_data)
        return Response(s.BulkRowSerializer(rows, many=True).data)
