"""The transport officer's reports, as JSON or an Excel workbook (`?format=xlsx`): what lapses
within 30 days (bus licences, inspections, insurance, operating licences, drivers' checks), and
for the runs between two days riders against rated load (核载 against 实载) and cost per rider,
for the district, then by school, route and run. Auditors read them too."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.renderers import XLSX, FileFormats, XlsxRenderer
from houqin.api.viewsets import RestrictedViewSet
from houqin.exceptions import InvalidInput
from houqin.months import month_bounds
from houqin.tables import Workbook
from shared_apps.transport import selectors
from shared_apps.transport.models import Run


class ReportQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text="First day (default: this month's)."
    )
    date_to = serializers.DateField(required=False, help_text="Last day (default: this month's).")


def _load(load: selectors.Load) -> dict[str, Any]:
    return {
        "runs": load.runs,
        "rated_load": load.rated_load,
        "riders": load.riders,
        "load_percent": load.load_percent,
        "riders_per_run": load.riders_per_run,
        "cost": load.cost,
        "cost_per_rider": load.cost_per_rider,
    }


def report_data(report: selectors.Report) -> dict[str, Any]:
    return {
        "date_from": report.start,
        "date_to": report.end,
        "district": _load(report.district),
        "schools": [{"school": s.code, "name": s.name, **_load(s.load)} for s in report.schools],
        "routes": [{"route": r.code, "name": r.name, **_load(r.load)} for r in report.routes],
        "runs": [
            {"run": r.run, "starts_at": r.starts_at, "route": r.route, "plate": r.plate}
            | _load(r.load)
            for r in report.runs
        ],
        "expiring": [
            {"what": e.what, "name": e.name, "expires": e.expires} for e in report.expiring
        ],
    }


def report_workbook(report: selectors.Report) -> bytes:
    """One sheet per part: the district and the schools, the routes, the runs, what lapses."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Schools")
    load_heads = [
        _("Runs"),
        _("Rated load"),
        _("Riders"),
        _("Load (%)"),
        _("Riders per run"),
        _("Cost (CNY)"),
        _("Cost per rider (CNY)"),
    ]

    def figures(load: selectors.Load) -> list[Any]:
        return [
            load.runs,
            load.rated_load,
            load.riders,
            load.load_percent,
            load.riders_per_run,
            load.cost,
            load.cost_per_rider,
        ]

    sheet.append([_("School code"), _("School"), *load_heads])
    sheet.append(["", _("The district"), *figures(report.district)])
    for school in report.schools:
        sheet.append([school.code, school.name, *figures(school.load)])
    routes = book.create_sheet(_("Routes"))
    routes.append([_("Route"), _("Name"), *load_heads])
    for route in report.routes:
        routes.append([route.code, route.name, *figures(route.load)])
    runs = book.create_sheet(_("Runs"))
    runs.append([_("Run"), _("Leaves at"), _("Route"), _("Vehicle"), *load_heads])
    for run in report.runs:
        leaves = timezone.localtime(run.starts_at).replace(tzinfo=None)
        runs.append([run.run, leaves, run.route, run.plate, *figures(run.load)])
    lapsing = book.create_sheet(_("Expiring"))
    lapsing.append([_("What"), _("Whose"), _("Expires")])
    for row in report.expiring:
        lapsing.append([row.what, row.name, row.expires])
    return book.to_bytes()


class TransportReportViewSet(FileFormats, RestrictedViewSet):
    """The transport officer's reports (auditors read them)."""

    model = Run
    renderer_classes = [JSONRenderer, XlsxRenderer]
    pagination_class = None
    # One report, neither filtered nor sorted: its span is its query.
    filter_backends: list[Any] = []
    action_verbs = {"report": "view"}

    @extend_schema(
        parameters=[
            ReportQuerySerializer,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx"]),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, XLSX): OpenApiTypes.BINARY,
        },
    )
    def report(self, request: Request) -> Response:
        """Riders against rated load and cost per rider between two days (this month unless
        asked), for the district, each school, route and run; and what lapses within 30 days."""
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, last = month_bounds(timezone.localdate())
        start = query.validated_data.get("date_from") or first
        end = query.validated_data.get("date_to") or last
        if not start <= end or (end - start).days >= selectors.MAX_REPORT_DAYS:
            message = _("From a first day to a last day, at most a year apart.")
            raise InvalidInput(message, fields={"date_to": [message]})
        report = selectors.transport_report(start, end, timezone.localdate())
        if request.accepted_renderer.format != "xlsx":
            return Response(report_data(report))
        return Response(
            report_workbook(report),
            headers={"Content-Disposition": 'attachment; filename="transport.xlsx"'},
        )
