"""Suppliers, the catalogue, framework contracts, ratings and the district's spend views over the
API. Views parse input and call services; which rows a caller reaches is `restrict()`'s.

District host: the procurement officer keeps suppliers (accounts, qualifications, standing) and
the catalogue, and reads contracts, ratings and spend, as auditors do; a supplier account reaches
its own company, qualifications (which it keeps itself), events, contracts and the orders placed
with it; everyone there reads the catalogue. A school's host: the catalogue, the suppliers and the
contracts in force with their prices (to order from), and the school's own monthly ratings.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.renderers import XLSX, FileFormats, XlsxRenderer
from houqin.api.viewsets import RestrictedViewSet
from houqin.db import tenant_db
from houqin.exceptions import InvalidInput, NotPermitted
from houqin.months import MONTH_PATTERN
from houqin.permissions import has_perm
from houqin.tenancy import SchoolScope
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.api import supply_filters as f
from shared_apps.procurement.api import supply_serializers as s
from shared_apps.procurement.api.supply_renderers import spend_xlsx
from shared_apps.procurement.catalogue_files import read_catalogue_rows
from shared_apps.procurement.models import (
    CatalogueItem,
    FrameworkContract,
    Qualification,
    SpendLine,
    Supplier,
    SupplierEvent,
    SupplierRating,
    SupplierUser,
)
from shared_apps.procurement.selectors import spend
from shared_apps.procurement.selectors import suppliers as selectors
from shared_apps.procurement.services import catalogue, ratings, suppliers


def _supplier(request: Request, pk: int) -> Supplier:
    supplier = selectors.supplier_get(user=request.user, pk=pk)
    if supplier is None:
        raise InvalidInput(_("No such supplier."), fields={"supplier": [_("Not found.")]})
    return supplier


# Suppliers ---------------------------------------------------------------------------------------


class SupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Suppliers: the procurement officer registers and changes them, suspends and reinstates
    them; a supplier account sees its own company."""

    model = Supplier
    serializer_class = s.SupplierSerializer
    filterset_class = f.SupplierFilter
    ordering_fields = ["id", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"suspend": "suspend", "reinstate": "suspend", "orders": "view"}

    def safely_get_queryset(self) -> Any:
        return selectors.supplier_list()

    @extend_schema(
        request=s.SupplierWriteSerializer,
        responses={201: s.SupplierSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.SupplierWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        supplier = suppliers.supplier_create(actor=signed_in(request), **data.validated_data)
        return Response(s.SupplierSerializer(supplier).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SupplierWriteSerializer, responses=s.SupplierSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        supplier = self.get_object()
        data = s.SupplierWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        supplier = suppliers.supplier_update(
            supplier=supplier, actor=signed_in(request), **data.validated_data
        )
        return Response(s.SupplierSerializer(supplier).data)

    @extend_schema(
        request=s.ReasonSerializer, responses=s.SupplierSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        """Suspend the supplier from new tenders, saying why (its contracts run on)."""
        supplier = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        supplier = suppliers.supplier_suspend(
            supplier=supplier, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return Response(s.SupplierSerializer(supplier).data)

    @extend_schema(
        request=s.ReasonSerializer, responses=s.SupplierSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reinstate(self, request: Request, pk: str | None = None) -> Response:
        """Lift a suspension (by hand or by the rating rule), saying why."""
        supplier = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        supplier = suppliers.supplier_reinstate(
            supplier=supplier, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return Response(s.SupplierSerializer(supplier).data)

    @extend_schema(responses=s.SupplierOrderSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def orders(self, request: Request, pk: str | None = None) -> Response:
        """The orders schools placed with this supplier, newest first, with their lines: what
        was ordered, delivered (and whether on time) and invoiced."""
        supplier = self.get_object()
        here = SchoolScope.here()
        page = self.paginate_queryset(
            selectors.supplier_order_list(supplier_id=supplier.pk, scope=here)
        )
        assert page is not None
        keys = [(row["school_id"], row["order_number"]) for row in page]
        lines = selectors.supplier_order_lines(supplier_id=supplier.pk, orders=keys, scope=here)
        rows = [{**row, "lines": lines[key]} for row, key in zip(page, keys, strict=True)]
        return self.get_paginated_response(s.SupplierOrderSerializer(rows, many=True).data)


class SchoolSupplierViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The district's suppliers, for a school to order from."""

    model = Supplier
    serializer_class = s.SupplierSerializer
    filterset_class = f.SupplierFilter
    ordering_fields = ["id", "name"]

    def safely_get_queryset(self) -> Any:
        return selectors.supplier_list()


class SupplierAccountViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """Suppliers' sign-in accounts, opened by the procurement officer."""

    model = SupplierUser
    serializer_class = s.SupplierAccountSerializer
    filterset_class = f.SupplierAccountFilter
    ordering_fields = ["id"]

    def safely_get_queryset(self) -> Any:
        return selectors.supplier_account_list()

    # No Idempotency-Key: the answer may carry a password, which must not be stored to replay it.
    # A retry is refused as a taken username and changes nothing.
    @extend_schema(
        request=s.SupplierAccountCreateSerializer,
        responses={201: s.SupplierAccountCreatedSerializer},
    )
    def create(self, request: Request) -> Response:
        """Open a sign-in account for one of a supplier's people. Without a password one is
        made up and shown in this answer only."""
        data = s.SupplierAccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        account, password = suppliers.supplier_account_create(
            supplier=_supplier(request, values.pop("supplier")), actor=signed_in(request), **values
        )
        return Response(
            {**s.SupplierAccountSerializer(account).data, "password": password},
            status=status.HTTP_201_CREATED,
            headers={"Cache-Control": "no-store"},
        )


class QualificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Suppliers' licences with their expiry: a supplier account adds its own company's, which
    count for tenders only once the procurement officer has verified them against the document."""

    model = Qualification
    serializer_class = s.QualificationSerializer
    filterset_class = f.QualificationFilter
    ordering_fields = ["id", "expires_on"]
    action_verbs = {"verify": "verify", "reject": "verify"}

    def safely_get_queryset(self) -> Any:
        return selectors.qualification_list()

    @extend_schema(
        request=s.QualificationCreateSerializer,
        responses={201: s.QualificationSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.QualificationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        named = values.pop("supplier")
        if has_perm(request.user, "procurement.change_supplier"):
            if named is None:
                raise InvalidInput(
                    _("Name the supplier."), fields={"supplier": [_("This field is required.")]}
                )
            supplier = _supplier(request, named)
        else:
            # A supplier account: its own company, whatever it names (not there and not its own
            # answer alike).
            own = selectors.supplier_of(request.user)
            if own is None or named not in (None, own.pk):
                raise NotPermitted(_("A supplier keeps its own company's qualifications only."))
            supplier = own
        qualification = suppliers.qualification_add(
            supplier=supplier, actor=signed_in(request), **values
        )
        return Response(
            s.QualificationSerializer(qualification).data, status=status.HTTP_201_CREATED
        )

    def _respond(self, qualification: Qualification) -> Response:
        fresh = selectors.qualification_list().get(pk=qualification.pk)
        return Response(s.QualificationSerializer(fresh).data)

    @extend_schema(request=None, responses=s.QualificationSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Verify the licence against its document (or the issuer's register): from now on it
        counts for tenders while in force."""
        qualification = suppliers.qualification_verify(
            qualification=self.get_object(), actor=signed_in(request)
        )
        return self._respond(qualification)

    @extend_schema(
        request=s.ReasonSerializer,
        responses=s.QualificationSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject the licence, saying why (it stops counting if it was verified)."""
        qualification = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        qualification = suppliers.qualification_reject(
            qualification=qualification,
            reason=data.validated_data["reason"],
            actor=signed_in(request),
        )
        return self._respond(qualification)


class SupplierEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Changes of suppliers' standing: suspended, reinstated, a qualification expiring."""

    model = SupplierEvent
    serializer_class = s.SupplierEventSerializer
    filterset_class = f.SupplierEventFilter
    ordering_fields = ["id", "occurred_at"]

    def safely_get_queryset(self) -> Any:
        return selectors.supplier_event_list()


# Catalogue ---------------------------------------------------------------------------------------


class CatalogueItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """What schools buy, with its unit and market reference price; kept by the procurement
    officer, read by everyone on the district host."""

    model = CatalogueItem
    serializer_class = s.CatalogueItemSerializer
    filterset_class = f.CatalogueItemFilter
    ordering_fields = ["id", "code", "name", "category"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"import_items": "add"}

    def safely_get_queryset(self) -> Any:
        return selectors.catalogue_list()

    @extend_schema(
        request=s.CatalogueItemCreateSerializer,
        responses={201: s.CatalogueItemSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.CatalogueItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = catalogue.catalogue_item_create(actor=signed_in(request), **data.validated_data)
        return Response(s.CatalogueItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CatalogueItemUpdateSerializer, responses=s.CatalogueItemSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = s.CatalogueItemUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = catalogue.catalogue_item_update(
            item=item, actor=signed_in(request), **data.validated_data
        )
        return Response(s.CatalogueItemSerializer(item).data)

    @extend_schema(
        request={"multipart/form-data": s.CatalogueImportSerializer},
        responses=s.CatalogueImportReportSerializer,
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], url_path="import")
    def import_items(self, request: Request) -> Response:
        """Create or update the items of a file, by code: all rows or none. 200 with a per-row
        report; 400 `invalid_rows` (each faulty row in `fields.rows`) when any row has a
        problem, and 400 for a file that cannot be used. Repeating an import changes nothing,
        so it takes no Idempotency-Key."""
        data = s.CatalogueImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        rows = read_catalogue_rows(upload, upload.name)
        report = catalogue.catalogue_import(
            rows=rows, actor=signed_in(request), dry_run=data.validated_data["dry_run"]
        )
        return Response(report.as_dict())


class SchoolCatalogueViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The district's catalogue, for a school to order and requisition from."""

    model = CatalogueItem
    serializer_class = s.CatalogueItemSerializer
    filterset_class = f.CatalogueItemFilter
    ordering_fields = ["id", "code", "name", "category"]

    def safely_get_queryset(self) -> Any:
        return selectors.catalogue_list()


# Contracts ---------------------------------------------------------------------------------------


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Framework contracts with their price lists (made by awards)."""

    model = FrameworkContract
    serializer_class = s.ContractSerializer
    filterset_class = f.ContractFilter
    ordering_fields = ["id", "valid_from", "valid_to"]

    def safely_get_queryset(self) -> Any:
        return selectors.contract_list()


class SchoolContractViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The framework contracts a school can order under today, with their prices."""

    model = FrameworkContract
    serializer_class = s.ContractSerializer
    filterset_class = f.ContractFilter
    ordering_fields = ["id", "valid_from", "valid_to"]

    def safely_get_queryset(self) -> Any:
        return selectors.contract_list(in_force_on=timezone.localdate())


# Ratings -----------------------------------------------------------------------------------------


class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Schools' monthly ratings of their suppliers: every school's on the district host, the
    school's own on its host."""

    model = SupplierRating
    serializer_class = s.RatingSerializer
    filterset_class = f.RatingFilter
    ordering_fields = ["id", "month"]

    def safely_get_queryset(self) -> Any:
        return selectors.rating_list()


class SchoolRatingViewSet(RatingViewSet):
    """This school's monthly ratings of its suppliers, and rating one."""

    @extend_schema(
        request=s.RatingCreateSerializer,
        responses={201: s.RatingSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Rate a supplier this school ordered from in the month, once a month: quality,
        punctuality and service from 0 to 100; the score is their mean. A supplier rated below
        the threshold across schools two months running is suspended from new tenders."""
        data = s.RatingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rating = ratings.rating_record(
            school=tenant_db().tenant,
            supplier=_supplier(request, values.pop("supplier")),
            actor=signed_in(request),
            **values,
        )
        fresh = selectors.rating_list().here().get(pk=rating.pk)
        return Response(s.RatingSerializer(fresh).data, status=status.HTTP_201_CREATED)


# The district's spend views ----------------------------------------------------------------------

SPEND_PARAMETERS = [
    OpenApiParameter(
        "month",
        OpenApiTypes.STR,
        pattern=MONTH_PATTERN,
        description="The month, YYYY-MM (the previous month when no period is given).",
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="A period's first day."),
    OpenApiParameter(
        "date_to", OpenApiTypes.DATE, description="A period's last day (at most a year on)."
    ),
    OpenApiParameter(
        "format", OpenApiTypes.STR, enum=["json", "xlsx"], description="json (default) or xlsx."
    ),
]


class SpendViewSet(FileFormats, RestrictedViewSet):
    """What the schools ordered over a month or a period of up to a year: by school, category
    and supplier, savings against market reference prices, on-time delivery and orders outside
    contracts; read from the district's spend lines, as JSON or an Excel workbook."""

    model = SpendLine
    renderer_classes = [JSONRenderer, XlsxRenderer]
    pagination_class = None
    filter_backends: list[Any] = []
    action_verbs = {"summary": "view"}

    @extend_schema(
        parameters=SPEND_PARAMETERS,
        responses={
            (200, "application/json"): s.SpendSummarySerializer,
            (200, XLSX): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        query = s.SpendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        date_from, date_to = spend.spend_period(**query.validated_data)
        summary = spend.spend_summary(
            date_from=date_from, date_to=date_to, scope=SchoolScope.here()
        )
        if request.accepted_renderer.format != "xlsx":
            return Response(s.SpendSummarySerializer(summary).data)
        filename = f"spend-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
        return Response(
            spend_xlsx(summary),
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )
