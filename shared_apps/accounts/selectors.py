"""Reads about users and their roles."""

from django.db.models import Q, QuerySet

from shared_apps.accounts.models import Membership, User


def role_names_for(*, user_id: int, school_id: int | None) -> list[str]:
    """The user's district roles, plus their roles in `school_id` when given."""
    scope = Q(school__isnull=True)
    if school_id is not None:
        scope |= Q(school_id=school_id)
    return list(Membership.objects.filter(scope, user_id=user_id).values_list("role", flat=True))


def membership_list(*, school_id: int | None) -> QuerySet[Membership]:
    """Memberships visible from here: the district's on the centre, one school's on its host."""
    qs = Membership.objects.select_related("user", "school")
    if school_id is None:
        return qs
    return qs.filter(school_id=school_id)


def user_list(*, school_id: int | None) -> QuerySet[User]:
    """Users visible from here: everyone on the centre, a school's members on its host."""
    if school_id is None:
        return User.objects.all()
    return User.objects.filter(memberships__school_id=school_id).distinct()
