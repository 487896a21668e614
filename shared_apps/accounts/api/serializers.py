from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from houqin.api.fields import person
from houqin.roles import REGISTRY
from shared_apps.accounts.models import ROLE_CHOICES, ApiToken, Membership, User


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ApiTokenSerializer(serializers.ModelSerializer):
    """What a token is, never its key or hash. `current`: the token this request came with."""

    user = person()
    active = serializers.BooleanField(source="is_active", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "active",
            "current",
        ]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        request = self.context.get("request")
        return getattr(getattr(request, "auth", None), "pk", None) == token.pk


class SchoolBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    # `label` is also a Field attribute; here it is the output key the clients read.
    label = serializers.CharField()  # type: ignore[assignment]
    scope = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    school = SchoolBriefSerializer(allow_null=True)
    roles = RoleSerializer(many=True)

    @staticmethod
    def describe(role: str) -> dict[str, str]:
        spec = REGISTRY[role]  # type: ignore[index]
        return {"role": spec.role.value, "label": str(spec.label), "scope": spec.scope.value}


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "is_active", "date_joined"]
        read_only_fields = ["id", "username", "date_joined"]


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, write_only=True, trim_whitespace=False)
    display_name = serializers.CharField(max_length=100, required=False, default="")
    email = serializers.EmailField(required=False, default="")
    school = serializers.CharField(
        max_length=32,
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "School code, for an account the centre opens for a school; on a school's host the "
            "account is that school's."
        ),
    )


class UserUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100, required=False)
    email = serializers.EmailField(required=False)
    is_active = serializers.BooleanField(required=False)


class MembershipSerializer(serializers.ModelSerializer):
    user = person()
    school = serializers.CharField(source="school.code", read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "school", "created_at"]
        read_only_fields = ["id", "user", "created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
    school = serializers.CharField(
        max_length=32,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("School code, for a school role granted from the district centre."),
    )
