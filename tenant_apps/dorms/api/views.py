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
from tenant_apps.dorms.models import (
    Allocation,
    Bed,
    Building,
    DoorEvent,
    FeeCharge,
    Floor,
    Guardian,
    Inspection,
    Leave,
    Policy,
    RollCall,
    Room,
    RoomChange,
    Visitor,
)
from tenant_apps.dorms.services import (
    allocations,
    fees,
    inspections,
    nights,
    room_changes,
    rooms,
    visitors,
)
from tenant_apps.dorms.services import leave as leaves


class _Readable(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Listed and read; each subclass writes through its services."""


class BuildingViewSet(_Readable):
    model = Building
    serializer_class = s.DormBuildingSerializer
    ordering_fields = ["id", "code"]

    def safely_get_queryset(self) -> QuerySet[Building]:
        return selectors.building_list()

    @extend_schema(request=s.DormBuildingSerializer, responses={201: s.DormBuildingSerializer})
    def create(self, request: Request) -> Response:
        data = s.DormBuildingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        building = rooms.building_create(actor=signed_in(request), **data.validated_data)
        return Response(s.DormBuildingSerializer(building).data, status=status.HTTP_201_CREATED)


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
    serializer_class = s.DormRoomSerializer
    ordering_fields = ["id", "number"]
    filterset_class = f.RoomFilter

    def safely_get_queryset(self) -> QuerySet[Room]:
        return selectors.room_list(on=timezone.localdate())

    @extend_schema(request=s.DormRoomSerializer, responses={201: s.DormRoomSerializer})
    def create(self, request: Request) -> Response:
        data = s.DormRoomSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = rooms.room_create(actor=signed_in(request), **data.validated_data)
        return Response(self._read(room.pk), status=status.HTTP_201_CREATED)

    def _read(self, pk: int) -> Any:
        return s.DormRoomSerializer(self.safely_get_queryset().get(pk=pk)).data


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
        bed: Bed = self.get_object()
        data = s.BedServiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bed = rooms.bed_service_set(bed=bed, actor=signed_in(request), **data.validated_data)
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
        allocation: Allocation = self.get_object()
        data = s.AllocationEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = allocations.allocation_end(
            allocation=allocation, actor=signed_in(request), **data.validated_data
        )
        return Response(s.AllocationSerializer(ended).data)

    @extend_schema(request=s.AllocationMoveSerializer, responses={201: s.AllocationSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        allocation: Allocation = self.get_object()
        data = s.AllocationMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = allocations.allocation_move(
            allocation=allocation, actor=signed_in(request), **data.validated_data
        )
        return Response(s.AllocationSerializer(moved).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.BulkAllocationSerializer, responses=s.BulkRowSerializer(many=True))
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = s.BulkAllocationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = allocations.allocation_bulk(actor=signed_in(request), **data.validated_data)
        return Response(s.BulkRowSerializer(rows, many=True).data)


class PolicyViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The school's boarding settings (one row): when the night's roll call is taken."""

    model = Policy
    serializer_class = s.DormPolicySerializer
    pagination_class = None

    def safely_get_queryset(self) -> QuerySet[Policy]:
        return selectors.policy_list()

    @extend_schema(request=s.DormPolicySerializer, responses=s.DormPolicySerializer)
    def create(self, request: Request) -> Response:
        data = s.DormPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = nights.policy_set(actor=signed_in(request), **data.validated_data)
        return Response(s.DormPolicySerializer(policy).data)


class GuardianViewSet(_Readable):
    model = Guardian
    serializer_class = s.GuardianSerializer
    filterset_class = f.GuardianFilter
    ordering_fields = ["id"]

    def safely_get_queryset(self) -> QuerySet[Guardian]:
        return selectors.guardian_list()

    @extend_schema(request=s.GuardianSerializer, responses={201: s.GuardianSerializer})
    def create(self, request: Request) -> Response:
        data = s.GuardianSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        guardian = nights.guardian_add(actor=signed_in(request), **data.validated_data)
        return Response(s.GuardianSerializer(guardian).data, status=status.HTTP_201_CREATED)


class DoorEventViewSet(_Readable):
    """The access terminals' passes, reported in batches: each event recorded once."""

    model = DoorEvent
    serializer_class = s.DoorEventSerializer
    filterset_class = f.DoorEventFilter
    ordering_fields = ["id", "occurred_at"]

    def safely_get_queryset(self) -> QuerySet[DoorEvent]:
        return selectors.door_event_list()

    @extend_schema(request=s.DoorEventBatchSerializer, responses=s.EventRowSerializer(many=True))
    def create(self, request: Request) -> Response:
        data = s.DoorEventBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = nights.door_events_record(
            events=data.validated_data["events"], actor=signed_in(request)
        )
        return Response(s.EventRowSerializer(rows, many=True).data)


class RollCallViewSet(_Readable):
    """The nights' roll calls, each with its boarders: in, late, absent or on leave."""

    model = RollCall
    serializer_class = s.RollCallSerializer
    filterset_class = f.RollCallFilter
    ordering_fields = ["night"]
    action_verbs = {"create": "take"}

    def safely_get_queryset(self) -> QuerySet[RollCall]:
        return selectors.roll_call_list()

    @extend_schema(request=s.RollCallTakeSerializer, responses={201: s.RollCallSerializer})
    def create(self, request: Request) -> Response:
        data = s.RollCallTakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roll_call = nights.roll_call_take(actor=signed_in(request), **data.validated_data)
        read = self.safely_get_queryset().get(pk=roll_call.pk)
        return Response(s.RollCallSerializer(read).data, status=status.HTTP_201_CREATED)


class LeaveViewSet(_Readable):
    """Leaves asked for (by class teachers, for the guardians), and decided by the dorm
    manager."""

    model = Leave
    serializer_class = s.LeaveSerializer
    filterset_class = f.LeaveFilter
    ordering_fields = ["id", "starts_at"]
    action_verbs = {"approve": "approve", "reject": "approve"}

    def safely_get_queryset(self) -> QuerySet[Leave]:
        return selectors.leave_list()

    @extend_schema(request=s.LeaveSerializer, responses={201: s.LeaveSerializer})
    def create(self, request: Request) -> Response:
        data = s.LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leave = leaves.leave_request(actor=signed_in(request), **data.validated_data)
        return Response(s.LeaveSerializer(leave).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.LeaveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        leave = leaves.leave_decide(leave=self.get_object(), approve=True, actor=signed_in(request))
        return Response(s.LeaveSerializer(leave).data)

    @extend_schema(request=None, responses=s.LeaveSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        leave = leaves.leave_decide(
            leave=self.get_object(), approve=False, actor=signed_in(request)
        )
        return Response(s.LeaveSerializer(leave).data)


class VisitorViewSet(_Readable):
    """The visitor log, ID numbers shown masked."""

    model = Visitor
    serializer_class = s.VisitorSerializer
    filterset_class = f.VisitorFilter
    ordering_fields = ["id", "arrived_at"]
    action_verbs = {"leave": "leave"}

    def safely_get_queryset(self) -> QuerySet[Visitor]:
        return selectors.visitor_list()

    @extend_schema(request=s.VisitorArriveSerializer, responses={201: s.VisitorSerializer})
    def create(self, request: Request) -> Response:
        data = s.VisitorArriveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        visitor = visitors.visitor_arrive(
            name=values["name"],
            national_id_number=values["national_id"],
            purpose=values["purpose"],
            student=values["student"],
            actor=signed_in(request),
        )
        return Response(s.VisitorSerializer(visitor).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.VisitorSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        visitor = visitors.visitor_leave(visitor=self.get_object(), actor=signed_in(request))
        return Response(s.VisitorSerializer(visitor).data)


class InspectionViewSet(_Readable):
    """Hygiene and safety checks of the rooms, and the month's ranking of the rooms."""

    model = Inspection
    serializer_class = s.InspectionSerializer
    filterset_class = f.InspectionFilter
    ordering_fields = ["id", "inspected_on", "score"]
    action_verbs = {"ranking": "view"}

    def safely_get_queryset(self) -> QuerySet[Inspection]:
        return selectors.inspection_list()

    @extend_schema(request=s.InspectionRecordSerializer, responses={201: s.InspectionSerializer})
    def create(self, request: Request) -> Response:
        data = s.InspectionRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = inspections.inspection_record(actor=signed_in(request), **data.validated_data)
        return Response(s.InspectionSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[s.RankingQuerySerializer], responses=s.RankingSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def ranking(self, request: Request) -> Response:
        query = s.RankingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month") or timezone.localdate().replace(day=1)
        rooms = selectors.room_ranking(month=month)
        return Response(s.RankingSerializer(rooms, many=True).data)


class FeeViewSet(_Readable):
    """Boarding fees (住宿费) charged per term where the school may charge them, and the refunds
    of pupils who left the dormitory, due within 15 working days."""

    model = FeeCharge
    serializer_class = s.FeeSerializer
    filterset_class = f.FeeFilter
    ordering_fields = ["id", "charged_on", "refund_due"]
    action_verbs = {"refund": "refund"}

    def safely_get_queryset(self) -> QuerySet[FeeCharge]:
        return selectors.fee_list()

    @extend_schema(request=s.FeeChargeSerializer, responses={201: s.FeeSerializer})
    def create(self, request: Request) -> Response:
        data = s.FeeChargeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        charge = fees.fee_charge(actor=signed_in(request), **data.validated_data)
        return Response(s.FeeSerializer(charge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FeeRefundSerializer, responses=s.FeeSerializer)
    @action(detail=True, methods=["post"])
    def refund(self, request: Request, pk: str | None = None) -> Response:
        data = s.FeeRefundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        charge = fees.fee_refund_pay(
            charge=self.get_object(), actor=signed_in(request), **data.validated_data
        )
        return Response(s.FeeSerializer(charge).data)


class RoomChangeViewSet(_Readable):
    """Room changes asked for by pupils and class teachers, reviewed by the dorm manager and
    approved by the logistics director (when the allocation moves)."""

    model = RoomChange
    serializer_class = s.RoomChangeSerializer
    filterset_class = f.RoomChangeFilter
    ordering_fields = ["id", "created_at"]
    action_verbs = {"review": "review", "decide": "approve"}

    def safely_get_queryset(self) -> QuerySet[RoomChange]:
        return selectors.room_change_list()

    @extend_schema(request=s.RoomChangeRequestSerializer, responses={201: s.RoomChangeSerializer})
    def create(self, request: Request) -> Response:
        data = s.RoomChangeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = room_changes.room_change_request(actor=signed_in(request), **data.validated_data)
        return Response(s.RoomChangeSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RoomChangeReviewSerializer, responses=s.RoomChangeSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        room_change: RoomChange = self.get_object()
        data = s.RoomChangeReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviewed = room_changes.room_change_review(
            room_change=room_change, actor=signed_in(request), **data.validated_data
        )
        return Response(s.RoomChangeSerializer(reviewed).data)

    @extend_schema(request=s.RoomChangeDecideSerializer, responses=s.RoomChangeSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        room_change: RoomChange = self.get_object()
        data = s.RoomChangeDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = room_changes.room_change_decide(
            room_change=room_change, actor=signed_in(request), **data.validated_data
        )
        return Response(s.RoomChangeSerializer(decided).data)
