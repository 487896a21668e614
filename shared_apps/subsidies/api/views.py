"""Subsidies over the API. On the district host the finance officer sets programmes and budgets,
proposes supplementary budgets (another finance officer approves them), and decides and pays
claims; auditors read. On a school's host the
school sees its own claims and budgets (with their supplements), the logistics director prepares
(computes) the month's claim, the principal submits it."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.db import tenant_db
from houqin.exceptions import InvalidInput
from shared_apps.accounts.actors import signed_in
from shared_apps.subsidies import selectors, services
from shared_apps.subsidies.api import serializers as s
from shared_apps.subsidies.filters import (
    BudgetFilter,
    ClaimFilter,
    CorrectionFilter,
    ProgrammeFilter,
)
from shared_apps.subsidies.models import (
    Budget,
    BudgetSupplement,
    Claim,
    MonthCorrection,
    Programme,
)
from tenants.models import School


def _programme(code: str) -> Programme:
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise InvalidInput(_("No such programme."), fields={"programme": [_("No such programme.")]})
    return programme


class ProgrammeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Programme
    serializer_class = s.ProgrammeSerializer
    filterset_class = ProgrammeFilter
    ordering_fields = ["id", "code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def safely_get_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_list()

    @extend_schema(
        request=s.ProgrammeCreateSerializer,
        responses={201: s.ProgrammeSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.ProgrammeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        programme = services.programme_create(actor=signed_in(request), **data.validated_data)
        return Response(s.ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProgrammeUpdateSerializer, responses=s.ProgrammeSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        data = s.ProgrammeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        programme = services.programme_update(
            programme=programme, actor=signed_in(request), **data.validated_data
        )
        return Response(s.ProgrammeSerializer(programme).data)


class _BudgetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Budget
    serializer_class = s.BudgetSerializer
    filterset_class = BudgetFilter
    ordering_fields = ["id", "period_start"]

    def safely_get_queryset(self) -> QuerySet[Budget]:
        return selectors.budget_list()


class SchoolBudgetViewSet(_BudgetViewSet):
    """A school's own budgets, read-only."""


class BudgetViewSet(_BudgetViewSet):
    """Every school's budgets: the finance officer allocates, supplements and carries surplus
    over."""

    action_verbs = {"carry_over": "carry_over", "supplements": "supplement"}

    @extend_schema(
        request=s.BudgetCreateSerializer,
        responses={201: s.BudgetSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.BudgetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        school = School.objects.filter(code=values.pop("school")).first()
        if school is None:
            raise InvalidInput(_("No such school."), fields={"school": [_("No such school.")]})
        budget = services.budget_allocate(
            programme=_programme(values.pop("programme")),
            school=school,
            actor=signed_in(request),
            **values,
        )
        return Response(s.BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.BudgetSupplementCreateSerializer,
        responses={201: s.BudgetSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def supplements(self, request: Request, pk: str | None = None) -> Response:
        """Propose a supplementary budget (追加预算): `amount` more CNY for this budget, and why.
        It counts once another finance officer approves it."""
        budget: Budget = self.get_object()
        data = s.BudgetSupplementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.budget_supplement(budget=budget, actor=signed_in(request), **data.validated_data)
        fresh = selectors.budget_list().here().get(pk=budget.pk)
        return Response(s.BudgetSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.BudgetCarryOverSerializer,
        responses=s.BudgetSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path="carry-over")
    @idempotent
    def carry_over(self, request: Request, pk: str | None = None) -> Response:
        """Carry this budget's surplus into `to_budget`, the next period of the same budget
        year, when the programme's rule allows it."""
        source: Budget = self.get_object()
        data = s.BudgetCarryOverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = get_object_or_404(self.get_queryset(), pk=data.validated_data["to_budget"])
        target = services.budget_carry_over(
            from_budget=source, to_budget=target, actor=signed_in(request)
        )
        return Response(s.BudgetSerializer(target).data)


class SupplementViewSet(RestrictedViewSet):
    """Supplementary budgets: approved by a finance officer other than the one who proposed
    them."""

    model = BudgetSupplement
    serializer_class = s.BudgetSupplementSerializer
    ordering_fields = ["id"]
    action_verbs = {"approve": "approve"}

    def safely_get_queryset(self) -> QuerySet[BudgetSupplement]:
        return selectors.supplement_list()

    @extend_schema(request=None, responses=s.BudgetSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a proposed supplement: the budget holds its amount from now on."""
        supplement = services.budget_supplement_approve(
            supplement=self.get_object(), actor=signed_in(request)
        )
        fresh = selectors.budget_list().here().get(pk=supplement.budget_id)
        return Response(s.BudgetSerializer(fresh).data)


class _ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Claim
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter
    ordering_fields = ["id", "month"]

    def safely_get_queryset(self) -> QuerySet[Claim]:
        return selectors.claim_list()

    def _claim_response(self, claim: Claim, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.claim_list().here().get(pk=claim.pk)
        return Response(s.ClaimSerializer(fresh).data, status=code)


class SchoolClaimViewSet(_ClaimViewSet):
    """This school's claims: prepared by the logistics director, submitted by the principal."""

    action_verbs = {"compute": "prepare", "submit": "submit"}

    @extend_schema(request=s.ClaimComputeSerializer, responses={201: s.ClaimSerializer})
    @action(detail=False, methods=["post"])
    def compute(self, request: Request) -> Response:
        """Compute (or recompute, while a draft) this school's claim for a month from the
        canteen's servings of eligible students on school days."""
        data = s.ClaimComputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_compute(
            school=tenant_db().tenant,
            programme=_programme(data.validated_data["programme"]),
            month=data.validated_data["month"],
            actor=signed_in(request),
        )
        return self._claim_response(claim, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ClaimSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request: Request, pk: str | None = None) -> Response:
        claim = services.claim_submit(claim=self.get_object(), actor=signed_in(request))
        return self._claim_response(claim)


class ClaimViewSet(_ClaimViewSet):
    """Every school's claims: the finance officer approves or rejects and records payments."""

    action_verbs = {"approve": "approve", "reject": "approve", "disburse": "disburse"}

    @extend_schema(request=None, responses=s.ClaimSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request: Request, pk: str | None = None) -> Response:
        claim = services.claim_approve(claim=self.get_object(), actor=signed_in(request))
        return self._claim_response(claim)

    @extend_schema(
        request=s.ClaimRejectSerializer, responses=s.ClaimSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        data = s.ClaimRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_reject(
            claim=claim, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return self._claim_response(claim)

    @extend_schema(
        request=s.DisbursementCreateSerializer,
        responses={201: s.ClaimSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def disburse(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        data = s.DisbursementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.disbursement_record(claim=claim, actor=signed_in(request), **data.validated_data)
        return self._claim_response(claim, status.HTTP_201_CREATED)


class CorrectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Changes made to closed months: what changed, who changed it and why, and the adjustment
    each opened (the school's own on its host, every school's on the district's)."""

    model = MonthCorrection
    serializer_class = s.MonthCorrectionSerializer
    filterset_class = CorrectionFilter
    ordering_fields = ["id", "month", "corrected_at"]

    def safely_get_queryset(self) -> QuerySet[MonthCorrection]:
        return selectors.correction_list()


__all__ = [
    "BudgetViewSet",
    "ClaimViewSet",
    "CorrectionViewSet",
    "ProgrammeViewSet",
    "SchoolBudgetViewSet",
    "SchoolClaimViewSet",
    "SupplementViewSet",
]
