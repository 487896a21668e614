"""Monthly statements over the API, as JSON, Excel or PDF (`?format=`), for a month
(`?month=YYYY-MM`, the previous month when absent).

District host: the district statement and any school's, for the finance officer and auditors.
A school's host: that school's own statement, for its principal and accountant and the district
roles that read statements. The permission is `reporting.view_statement` (the `Statement` proxy).
"""

from dataclasses import asdict
from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.renderers import PDF, XLSX, FileFormats, PdfRenderer, XlsxRenderer
from houqin.api.viewsets import RestrictedViewSet
from houqin.months import MONTH_PATTERN
from houqin.permissions import current_school_id
from shared_apps.reporting import renderers, selectors
from shared_apps.reporting.models import Statement
from tenants.models import School

FORMATS = ["json", "xlsx", "pdf"]


STATEMENT_PARAMETERS = [
    OpenApiParameter(
        "month",
        OpenApiTypes.STR,
        pattern=MONTH_PATTERN,
        description="The month, YYYY-MM (the previous month when absent; never a future month).",
    ),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=FORMATS,
        description="json (the default), xlsx or pdf.",
    ),
]
STATEMENT_RESPONSES = {
    (200, "application/json"): OpenApiTypes.OBJECT,
    (200, XLSX): OpenApiTypes.BINARY,
    (200, PDF): OpenApiTypes.BINARY,
}


def _json(value: Any) -> Any:
    """Dataclasses to JSON-ready values: money as strings to the fen, times in ISO 8601."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


class _StatementViewSet(FileFormats, RestrictedViewSet):
    model = Statement
    renderer_classes = [JSONRenderer, XlsxRenderer, PdfRenderer]
    pagination_class = None
    filter_backends: list[Any] = []
    # `retrieve` and the extra actions read statements.
    action_verbs = {"district": "view", "school": "view"}

    def month(self) -> date:
        return selectors.month_parse(self.request.query_params.get("month"))

    def respond(self, statement: Any, stem: str) -> Response:
        fmt = self.request.accepted_renderer.format
        if fmt == "xlsx":
            content = (
                renderers.district_statement_xlsx(statement)
                if isinstance(statement, selectors.DistrictStatement)
                else renderers.school_statement_xlsx(statement)
            )
        elif fmt == "pdf":
            content = (
                renderers.district_statement_pdf(statement)
                if isinstance(statement, selectors.DistrictStatement)
                else renderers.school_statement_pdf(statement)
            )
        else:
            return Response(_json(_statement_dict(statement)))
        filename = f"statement-{statement.month:%Y-%m}-{stem}.{fmt}"
        return Response(
            content,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    def school_response(self, school: School) -> Response:
        statement = selectors.school_statement(school=school, month=self.month())
        return self.respond(statement, school.code)


def _statement_dict(statement: Any) -> dict[str, Any]:
    body = asdict(statement)
    if isinstance(statement, selectors.SchoolStatement):
        # The school, as its code (the same key every other school-host endpoint uses).
        body = {"school": statement.school_code, **body}
        for row in body["rows"]:
            for key in ("school_id", "school_code", "school_name"):
                row.pop(key)
    return body


class DistrictStatementViewSet(_StatementViewSet):
    """The district's monthly statement: every school, totals, claims by status."""

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses=STATEMENT_RESPONSES)
    @action(detail=False, methods=["get"])
    def district(self, request: Request) -> Response:
        statement = selectors.district_statement(month=self.month())
        return self.respond(statement, "district")


class SchoolStatementViewSet(mixins.RetrieveModelMixin, _StatementViewSet):
    """Any school's monthly statement, by the school's code."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses=STATEMENT_RESPONSES)
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        return self.school_response(self.get_object())


class OwnStatementViewSet(_StatementViewSet):
    """This school's monthly statement, on its own host."""

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses=STATEMENT_RESPONSES)
    @action(detail=False, methods=["get"])
    def school(self, request: Request) -> Response:
        school = get_object_or_404(self.get_queryset(), pk=current_school_id())
        return self.school_response(school)
