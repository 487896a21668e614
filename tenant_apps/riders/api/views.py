"""A school's bus riders: seated on the district's runs through the shared ledger, listed per
run, and each run's seat chart."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.viewsets import RestrictedViewSet
from shared_apps.accounts.actors import signed_in
from tenant_apps.riders import selectors, services
from tenant_apps.riders.api import serializers as s
from tenant_apps.riders.filters import RiderFilter, TripFilter
from tenant_apps.riders.models import Rider, Trip


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
    """The runs the school's riders ride, with their seat charts."""

    model = Trip
    serializer_class = s.TripSerializer
    filterset_class = TripFilter
    ordering_fields = ["id"]
    action_verbs = {"chart": "view"}

    def safely_get_queryset(self) -> QuerySet[Trip]:
        return selectors.trip_list()

    @extend_schema(responses=s.ChartSeatSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def chart(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The run's seats for pupils: this school's riders, seats of other schools, free."""
        chart = selectors.seat_chart(self.get_object())
        return Response(s.ChartSeatSerializer(chart, many=True).data)
