"""Sign-in (tokens), the caller's own record and tokens, users, memberships, everyone's tokens."""

from typing import Any

from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.throttling import SharedScopedRateThrottle
from houqin.api.viewsets import RestrictedViewSet
from houqin.db import tenant_db
from houqin.exceptions import InvalidInput
from houqin.permissions import current_school_id, roles_of
from shared_apps.accounts import selectors, services, signin
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.api import serializers as s
from shared_apps.accounts.filters import ApiTokenFilter, MembershipFilter, UserFilter
from shared_apps.accounts.models import ApiToken, Membership, User
from tenants.models import School


class TokenView(APIView):
    """Exchange a username and password for an API token valid where the user holds a role."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=s.TokenRequestSerializer, responses={200: s.TokenSerializer})
    def post(self, request: Request) -> Response:
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = signin.token_sign_in(
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            request=request._request,
        )
        return Response({"token": key}, status=status.HTTP_200_OK)


class MeView(APIView):
    """The caller and the roles they hold on this host."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        school = getattr(connection, "tenant", None) if current_school_id() else None
        body = {
            "id": user.pk,
            "username": user.username,
            "display_name": getattr(user, "display_name", ""),
            "school": {"code": school.code, "name": school.name} if school else None,
            "roles": [s.MeSerializer.describe(r) for r in sorted(roles_of(user))],
        }
        return Response(s.MeSerializer(body).data)


TOKEN_ORDERING = ["id", "created_at", "expires_at", "last_used_at"]


class MeTokenListView(generics.ListAPIView):
    """The caller's own API tokens (like /me/, the caller's own record: no one else's rows)."""

    serializer_class = s.ApiTokenSerializer
    filterset_class = ApiTokenFilter
    ordering_fields = TOKEN_ORDERING

    def get_queryset(self) -> Any:
        return selectors.token_list(user_id=self.request.user.pk)


class MeTokenRevokeView(APIView):
    """Revoke one of the caller's own tokens (the one in use too: signing out)."""

    # A detail operation: RolePermission leaves it to the rows, and a caller who holds no role
    # here reaches none of them (404, as for a token that is not theirs).
    detail = True

    @extend_schema(request=None, responses=s.ApiTokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        own = selectors.token_list(user_id=request.user.pk)
        token = get_object_or_404(own if roles_of(request.user) else own.none(), pk=pk)
        token = services.token_revoke(
            token=token, actor=signed_in(request), request=request._request
        )
        return Response(s.ApiTokenSerializer(token, context={"request": request}).data)


class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Everyone's API tokens, on the district host: the district administrator revokes any."""

    model = ApiToken
    serializer_class = s.ApiTokenSerializer
    filterset_class = ApiTokenFilter
    ordering_fields = TOKEN_ORDERING
    action_verbs = {"revoke": "revoke"}

    def safely_get_queryset(self) -> Any:
        return selectors.token_list()

    @extend_schema(request=None, responses=s.ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = services.token_revoke(
            token=self.get_object(), actor=signed_in(request), request=request._request
        )
        return Response(self.get_serializer(token).data)


def _school_here_or(code: str | None) -> School | None:
    """This host's school; on the district host, the school of `code` when one is given."""
    if current_school_id() is not None:
        school: School = tenant_db().tenant
        return school
    return get_object_or_404(School, code=code) if code else None


class UserViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, RestrictedViewSet
):
    """Users: everyone in the centre; a school's members on its host."""

    model = User
    serializer_class = s.UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["username", "date_joined"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def safely_get_queryset(self) -> Any:
        return selectors.user_list()

    @extend_schema(request=s.UserCreateSerializer, responses={201: s.UserSerializer})
    def create(self, request: Request) -> Response:
        data = s.UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = services.user_create(
            actor=signed_in(request), school=_school_here_or(values.pop("school")), **values
        )
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.UserUpdateSerializer, responses=s.UserSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        data = s.UserUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=user, actor=signed_in(request), **data.validated_data)
        return Response(s.UserSerializer(user).data)


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, RestrictedViewSet
):
    """Roles held: all of them in the centre; one school's on its host."""

    model = Membership
    serializer_class = s.MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["id", "role"]

    def safely_get_queryset(self) -> Any:
        return selectors.membership_list()

    @extend_schema(
        request=s.MembershipCreateSerializer,
        responses={201: s.MembershipSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(username=data.validated_data["username"]).first()
        if user is None:
            raise InvalidInput(_("No such user."), fields={"username": [_("No such user.")]})
        membership = services.membership_grant(
            user=user,
            role=data.validated_data["role"],
            school=_school_here_or(data.validated_data["school"]),
            actor=signed_in(request),
        )
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_revoke(membership=instance, actor=signed_in(self.request))
