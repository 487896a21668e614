"""The filter backend of every API list: django-filter's, refusing any query parameter that
nothing on the endpoint reads. A parameter ignored in silence answers a question the client did
not ask: a filter that was removed or misspelt still returns rows, and they look filtered.
The older form of a parameter (`houqin.api.deprecation.older`) is read, answered with a
`Deprecation` header, and marked deprecated in the schema."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework.request import Request
from rest_framework.settings import api_settings

from houqin.api import deprecation
from houqin.exceptions import InvalidInput


class StrictFilterBackend(DjangoFilterBackend):
    """Known parameters are the filterset's, the ordering and page parameters, `format`, and those
    a view's action reads itself, declared in the view's `query_parameters` (action -> names)."""

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        asked = set(request.query_params)
        # Nothing asked but the page, the ordering or the format: the list unfiltered, as the
        # filterset would answer it (no filter is required, an empty one filters nothing),
        # without building its form, which costs a list or a detail more than its query.
        if asked <= self.named_parameters(None, view):
            return queryset
        # The filterset is built once: to know its parameters, then to filter.
        filterset = self.get_filterset(request, queryset, view)
        # The filters' own names first: a form's widgets answer the rest (a range filter's two
        # parameters), and asking them costs more than the rest of the filtering.
        unknown = sorted(asked - self.named_parameters(filterset, view))
        if unknown:
            unknown = sorted(asked - self.known_parameters(filterset, view))
        if unknown:
            message = _("This operation does not take this parameter.")
            raise InvalidInput(
                ngettext(
                    "Unknown query parameter: {names}.",
                    "Unknown query parameters: {names}.",
                    len(unknown),
                ).format(names=", ".join(unknown)),
                code="unknown_parameter",
                fields={name: [message] for name in unknown},
            )
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        for name in request.query_params:
            if deprecation.is_older(filterset.filters.get(name)):
                deprecation.used(name)
        filtered: QuerySet[Any] = filterset.qs
        return filtered

    def named_parameters(self, filterset: Any, view: Any) -> set[str]:
        """The parameters known without asking the filters' widgets: every one but those of the
        filters that read several under other names (a range's) or whose widget is their own."""
        extra: dict[str, tuple[str, ...]] = getattr(view, "query_parameters", {})
        known: set[str | None] = {
            api_settings.URL_FORMAT_OVERRIDE,
            *extra.get(getattr(view, "action", ""), ()),
        }
        if filterset is not None:
            known.update(
                name
                for name, declared in filterset.filters.items()
                if "widget" not in declared.extra
                and not issubclass(declared.field_class, forms.MultiValueField)
            )
        known.update(getattr(backend, "ordering_param", None) for backend in view.filter_backends)
        # Page parameters always: a list that is not paged answers every row, whatever page.
        for paginator in (getattr(view, "paginator", None), api_settings.DEFAULT_PAGINATION_CLASS):
            known.update(
                getattr(paginator, name, None)
                for name in ("page_query_param", "page_size_query_param")
            )
        return {name for name in known if name}

    def known_parameters(self, filterset: Any, view: Any) -> set[str]:
        known = self.named_parameters(filterset, view)
        if filterset is not None:
            for name, field in filterset.form.fields.items():
                # A range filter reads two parameters (`amount_min`, `amount_max`), one each.
                widget = field.widget.get_context(name, None, {})["widget"]
                known.update(sub["name"] for sub in widget.get("subwidgets", [widget]))
        return known


class StrictFilterSchema(DjangoFilterExtension):
    """The backend's parameters in the schema: django-filter's, an older form deprecated."""

    target_class = "houqin.api.filters.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(
        self, auto_schema: Any, model: Any, filterset_class: Any, field_name: str, filter_field: Any
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().resolve_filter_field(  # type: ignore[no-untyped-call]
            auto_schema, model, filterset_class, field_name, filter_field
        )
        if deprecation.is_older(filter_field):
            for parameter in parameters:
                parameter["deprecated"] = True
        return parameters
