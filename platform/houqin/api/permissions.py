"""Who may call an endpoint at all. Which rows they reach is decided by `restrict()`."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from houqin.permissions import roles_of
from houqin.roles import allows, allows_own, grants_of


class RolePermission(BasePermission):
    """Signed in, holding a role on this host, and granted the view's permission.

    Detail actions of signed-in callers always pass here: their queryset is restricted by action,
    so a row the caller may not touch (in a school where they hold no role, say) answers 404,
    exactly like a row that does not exist.
    """

    message = _("You do not have permission to do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if getattr(view, "detail", False):
            return True
        if not roles_of(user):
            self.message = _("You hold no role here.")
            return False
        perm = view.required_permission() if hasattr(view, "required_permission") else None
        if perm is None:
            return True
        grants = grants_of(roles_of(user))
        if allows(grants, perm):
            return True
        # A list is open to those who may see their own rows; object grants (guardian) widen
        # what such a member sees, they never open a list to a non-member.
        return view.permission_action() == "view" and allows_own(grants, perm)
