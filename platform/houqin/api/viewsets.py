"""API base classes. Every queryset passes through `restrict()` before any handler runs; a
subclass supplies `safely_get_queryset()` and cannot override `get_queryset()` (it would skip
the restriction), which is refused when the class is defined."""

from typing import Any, ClassVar

from django.db import models
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api import deprecation
from houqin.permissions import permission_name, restrict

_ACTION_VERBS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class RestrictedViewSet(viewsets.GenericViewSet):
    """A viewset whose rows are always those the caller may act on here."""

    model: ClassVar[type[models.Model]]
    # Extra actions name their permission verb, e.g. {"suspend": "suspend"}.
    action_verbs: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); implement safely_get_queryset() so "
                "that the role restriction still applies."
            )

    def safely_get_queryset(self) -> "models.QuerySet[Any]":
        return self.model._default_manager.all()

    def permission_action(self) -> str:
        action = self.action or "list"
        return self.action_verbs.get(action) or _ACTION_VERBS.get(action, action)

    def required_permission(self) -> str:
        return permission_name(self.model, self.permission_action())

    def get_queryset(self) -> "models.QuerySet[Any]":
        return restrict(self.safely_get_queryset(), self.request.user, self.permission_action())

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        deprecation.forget()
        super().initial(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        return deprecation.mark(super().finalize_response(request, response, *args, **kwargs))
