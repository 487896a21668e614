"""Reads about users and their roles."""

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django_tenants.utils import get_public_schema_name

from houqin import access
from houqin.roles import REGISTRY, SCHOOL_STAFF_ROLES, Role
from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.accounts.models import ApiToken, Membership, User, hash_token_key
from shared_apps.audit.readable import Person
from tenants.models import School


def role_names_for(*, user_id: int, school_id: int | None) -> list[str]:
    """The user's district roles, plus their roles in `school_id` when given."""
    scope = Q(school__isnull=True)
    if school_id is not None:
        scope |= Q(school_id=school_id)
    # The schools are the query's own: the district (none), and `school_id`.
    held = Membership.objects.across_schools().filter(scope, user_id=user_id)
    return list(held.values_list("role", flat=True))


def token_cache_key(key_hash: str) -> str:
    return f"houqin:token:{key_hash}"


def token_for_key(key: str) -> ApiToken | None:
    """The token whose key is `key`, with its user (whose password hash is left unread), or
    None. Read from the database once per generation of access (houqin.access): a token revoked
    or an account changed is read afresh at the next request."""
    key_hash = hash_token_key(key)
    return access.remembered(
        token_cache_key(key_hash),
        lambda: (
            ApiToken.objects.select_related("user")
            .defer("user__password")
            .filter(key_hash=key_hash)
            .first()
        ),
    )


def is_school_staff(*, user: User, school_id: int | None) -> bool:
    """Whether the user, active, holds a staff role in that school itself: not a student's, and
    not only the district's (a supplier's or an officer's roles hold everywhere)."""
    if school_id is None or not user.is_active:
        return False
    return school_staff(school_id=school_id).filter(pk=user.pk).exists()


def school_staff(*, school_id: int) -> QuerySet[User]:
    """The active users holding a staff role in that school itself (see `is_school_staff`),
    by name."""
    staff = Membership.objects.for_school(school_id).filter(
        role__in=[r.value for r in SCHOOL_STAFF_ROLES]
    )
    users = User.objects.filter(is_active=True, pk__in=staff.values("user_id"))
    return users.order_by("display_name", "username")


def holds_through(*, user_id: int, roles: Collection[Role], people: Collection[int]) -> bool:
    """Whether the user holds one of `roles` through a membership one of `people` granted, or on
    an account one of them opened or last set the password of (either knew the password)."""
    return (
        Membership.objects.across_schools()
        .filter(user_id=user_id, role__in=[r.value for r in roles])
        .filter(
            Q(granted_by_id__in=people)
            | Q(user__created_by_id__in=people)
            | Q(user__password_set_by_id__in=people)
        )
        .exists()
    )


def membership_list() -> SchoolOwnedQuerySet[Membership]:
    """Memberships. They belong to schools (houqin.tenancy): the caller says whose it reads, as
    `restrict()` does for the API (every one on the centre, one school's on its host)."""
    return Membership.objects.select_related("user", "school")


def user_list() -> QuerySet[User]:
    """Users: everyone on the centre; `restrict()` keeps, on a school's host, its members and
    the accounts it opened (`User.school_field`)."""
    return User.objects.all()


def token_list(*, user_id: int | None = None) -> QuerySet[ApiToken]:
    """API tokens, newest first, one user's when given: what they are, never their hashes."""
    qs = ApiToken.objects.select_related("user").defer("key_hash")
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return qs.order_by("-id")


def schools_of(*, user: User) -> list[School]:
    """The active schools where the user holds a role, by name: where the district host sends a
    member of a school after signing in."""
    held = Membership.objects.across_schools().filter(user=user, school__isnull=False)
    return list(
        School.objects.filter(pk__in=held.values("school_id"), status=School.Status.ACTIVE)
        .exclude(schema_name="public")
        .order_by("name")
    )


def people_named(user_ids: Collection[int]) -> dict[int, Person]:
    """Who these users are, for the audit trail: their names and, by the schema where they hold
    them, their roles' labels. Two queries, however many users."""
    roles: dict[int, dict[str, list[str]]] = {}
    held = (
        Membership.objects.across_schools()
        .filter(user_id__in=user_ids)
        .values_list("user_id", "school__schema_name", "role")
        .order_by("user_id", "id")
    )
    for user_id, schema_name, role in held:
        where = schema_name or get_public_schema_name()
        roles.setdefault(user_id, {}).setdefault(where, []).append(str(REGISTRY[Role(role)].label))
    return {
        user.pk: Person(
            name=user.display_name or user.username,
            roles={where: tuple(labels) for where, labels in roles.get(user.pk, {}).items()},
        )
        for user in User.objects.filter(pk__in=user_ids).only("username", "display_name")
    }


def people_matching(text: str) -> QuerySet[User, int]:
    """The ids of the users whose username or name holds `text`, for a subquery."""
    return User.objects.filter(
        Q(username__icontains=text) | Q(display_name__icontains=text)
    ).values_list("pk", flat=True)


def memberships_of(*, user: User) -> SchoolOwnedQuerySet[Membership]:
    """A user's roles, district ones first. They belong to schools: the caller says whose."""
    return membership_list().filter(user=user).order_by("school__name", "role", "id")
