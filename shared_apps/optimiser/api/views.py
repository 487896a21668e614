"""The meal-plan optimiser: a proposal for a week and band asked for, edited entry by entry (each
change checked again at once) and, the district's, published as the week's meal plan; a school
asks for proposals priced at its own contracts. Recipes' costs with their prices' sources."""

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.db import tenant_db
from houqin.tenancy import SchoolScope
from shared_apps.accounts.actors import signed_in
from shared_apps.optimiser import selectors, services
from shared_apps.optimiser.api import serializers as s
from shared_apps.optimiser.filters import ProposalFilter
from shared_apps.optimiser.models import Proposal
from shared_apps.standards import selectors as standards
from shared_apps.standards.models import AgeBand, Recipe
from tenants.models import School

ID = "[0-9]{1,18}"


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Proposed weeks: composed by the optimiser at the lowest cost that meets the standard and
    the rules, or missing least, with the misses named. On a school's host, the school's own,
    priced at its own contracts."""

    model = Proposal
    filterset_class = ProposalFilter
    lookup_value_regex = ID
    ordering_fields = ["id", "week_start", "created_at", "cost"]
    action_verbs = {"entries": "change", "entry": "change"}

    def safely_get_queryset(self) -> Any:
        return selectors.proposal_list()

    def get_serializer_class(self) -> Any:
        return s.ProposalSerializer if self.action == "list" else s.ProposalDetailSerializer

    def _school(self) -> School | None:
        school_id = SchoolScope.here().school_id
        return None if school_id is None else tenant_db().tenant

    def _detail(self, proposal: Proposal, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.proposal_list().here().get(pk=proposal.pk)
        return Response(s.ProposalDetailSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.ProposalRequestSerializer,
        responses={201: s.ProposalDetailSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Compose a week for an age band. 400 naming what is missing (targets, prices, recipes
        the rules leave); 409 when no week was found within the time limit. A week found when
        the time limit passed is answered with `solver.timed_out`."""
        data = s.ProposalRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = services.proposal_request(
            week_start=values["week_start"],
            age_band=values["age_band"],
            meals=values["meals"],
            rules=data.rules(),
            school=self._school(),
            actor=signed_in(request),
        )
        return self._detail(proposal, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.EntryAddSerializer,
        responses=s.ProposalDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def entries(self, request: Request, pk: str | None = None) -> Response:
        """Serve one more recipe at a meal of a day; the week is checked again."""
        proposal = self.get_object()
        data = s.EntryAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = services.proposal_entry_add(
            proposal=proposal,
            weekday=values["weekday"],
            meal=values["meal"],
            recipe_id=values["recipe"],
            portion_pct=values["portion_pct"],
            actor=signed_in(request),
        )
        return self._detail(proposal)

    @extend_schema(
        methods=["PATCH"], request=s.EntryChangeSerializer, responses=s.ProposalDetailSerializer
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"entries/(?P<entry_id>[0-9]{1,18})")
    def entry(self, request: Request, entry_id: str, pk: str | None = None) -> Response:
        """Another recipe in an entry's place, or another portion (PATCH); the entry removed
        (DELETE). The week is checked again."""
        proposal = self.get_object()
        if request.method == "DELETE":
            services.proposal_entry_remove(
                proposal=proposal, entry_id=int(entry_id), actor=signed_in(request)
            )
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = s.EntryChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = services.proposal_entry_change(
            proposal=proposal,
            entry_id=int(entry_id),
            recipe_id=values.get("recipe"),
            portion_pct=values.get("portion_pct"),
            actor=signed_in(request),
        )
        return self._detail(proposal)


class DistrictProposalViewSet(ProposalViewSet):
    """The district's proposals (and every school's, read): the nutrition officer's are
    published as the week's meal plan."""

    action_verbs = {**ProposalViewSet.action_verbs, "publish": "publish"}

    @extend_schema(
        request=s.PublishSerializer,
        responses={201: s.PublishedSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish the proposal as the week's meal plan for its band (a new version of the
        plan, superseding the one in force), through the plan services like any other plan."""
        proposal = self.get_object()
        data = s.PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.proposal_publish(
            proposal=proposal, title=data.validated_data["title"], actor=signed_in(request)
        )
        return Response(
            s.PublishedSerializer({"proposal": proposal.pk, "plan": plan.pk}).data,
            status=status.HTTP_201_CREATED,
        )


class RecipeCostViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """What a serving of each recipe costs for an age band on a day: each food priced from the
    framework contracts in force (the catalogue item it is bought as), else at the catalogue's
    market reference price, with the price's source."""

    model = Recipe
    pagination_class = None
    # The list is the costs' own selector's, in its order; no filter of the recipes applies.
    filter_backends = []

    def safely_get_queryset(self) -> Any:
        return standards.recipe_list()

    @extend_schema(
        parameters=[
            OpenApiParameter("age_band", str, enum=AgeBand.values, required=True),
            OpenApiParameter("on", OpenApiTypes.DATE, description="The day (default: today)."),
        ],
        responses=s.RecipeCostSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = s.RecipeCostQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        costs = selectors.recipe_cost_list(
            age_band=query.validated_data["age_band"],
            on=query.validated_data.get("on") or timezone.localdate(),
        )
        return Response(s.RecipeCostSerializer(costs, many=True).data)
