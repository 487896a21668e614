"""A school's orders over the API, on its own host. The logistics director and the canteen manager
place orders, record deliveries (with rejections, and the canteen's inspection for food) and
cancel orders not yet delivered; the accountant records the supplier's invoices and pays the
expenditures; the principal and auditors read. Views parse input and call services."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.exceptions import InvalidInput
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.models import FrameworkContract, Supplier
from shared_apps.procurement.selectors import suppliers as procurement
from tenant_apps.orders import filters as f
from tenant_apps.orders import selectors
from tenant_apps.orders.api import serializers as s
from tenant_apps.orders.models import Delivery, Expenditure, Invoice, InvoiceNote, Order
from tenant_apps.orders.services.deliveries import DeliveryLineInput, delivery_record
from tenant_apps.orders.services.invoices import (
    InvoiceLineInput,
    NoteLineInput,
    expenditure_pay,
    invoice_note_record,
    invoice_note_settle,
    invoice_record,
)
from tenant_apps.orders.services.placing import LineInput, order_cancel, order_place


def _contract(request: Request, pk: int | None) -> FrameworkContract | None:
    if pk is None:
        return None
    contract = procurement.contract_get(user=request.user, pk=pk)
    if contract is None:
        raise InvalidInput(_("No such contract."), fields={"contract": [_("Not found.")]})
    return contract


def _supplier(request: Request, pk: int | None) -> Supplier | None:
    if pk is None:
        return None
    supplier = procurement.supplier_get(user=request.user, pk=pk)
    if supplier is None:
        raise InvalidInput(_("No such supplier."), fields={"supplier": [_("Not found.")]})
    return supplier


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """This school's orders with their lines."""

    model = Order
    serializer_class = s.OrderSerializer
    filterset_class = f.OrderFilter
    ordering_fields = ["id", "ordered_on", "due_on"]
    action_verbs = {"cancel": "cancel", "deliveries": "deliver", "invoices": "invoice"}

    def safely_get_queryset(self) -> QuerySet[Order]:
        return selectors.order_list()

    def _order_response(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            s.OrderSerializer(selectors.order_list().get(pk=order.pk)).data, status=code
        )

    @extend_schema(
        request=s.OrderCreateSerializer,
        responses={201: s.OrderSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Place an order: under a contract in force (`contract`, lines of its items at its
        prices), or outside any contract (`supplier`, lines with description, category, unit
        and price, and `outside_contract_reason`)."""
        data = s.OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = order_place(
            contract=_contract(request, values["contract"]),
            supplier=_supplier(request, values["supplier"]),
            due_on=values["due_on"],
            outside_contract_reason=values["outside_contract_reason"],
            note=values["note"],
            lines=[LineInput(**line) for line in values["lines"]],
            actor=signed_in(request),
        )
        return self._order_response(order, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.OrderCancelSerializer, responses=s.OrderSerializer, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        data = s.OrderCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_cancel(
            order=order, reason=data.validated_data["reason"], actor=signed_in(request)
        )
        return self._order_response(order)

    @extend_schema(
        request=s.DeliveryCreateSerializer,
        responses={201: s.DeliverySerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """Record a delivery: per order line the quantity received and the part rejected
        (returned, with the reason). Food lines make the canteen's inbound inspection, which
        needs the batch, the certificates seen and the shelf life."""
        order = self.get_object()
        data = s.DeliveryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        delivery = delivery_record(
            order=order,
            lines=[DeliveryLineInput(**line) for line in values.pop("lines")],
            actor=signed_in(request),
            **values,
        )
        fresh = selectors.delivery_list().get(pk=delivery.pk)
        return Response(s.DeliverySerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.InvoiceCreateSerializer,
        responses={201: s.InvoiceSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def invoices(self, request: Request, pk: str | None = None) -> Response:
        """Record the supplier's invoice for this order, matched three ways; the matched
        invoice records the school's expenditure. A mismatch answers 400 `invoice_mismatch`
        naming the line, and nothing is saved."""
        order = self.get_object()
        data = s.InvoiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        invoice = invoice_record(
            order=order,
            lines=[InvoiceLineInput(**line) for line in values.pop("lines")],
            actor=signed_in(request),
            **values,
        )
        fresh = selectors.invoice_list().get(pk=invoice.pk)
        return Response(s.InvoiceSerializer(fresh).data, status=status.HTTP_201_CREATED)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """This school's deliveries: accepted and rejected quantities, and the inspection made."""

    model = Delivery
    serializer_class = s.DeliverySerializer
    filterset_class = f.DeliveryFilter
    ordering_fields = ["id", "received_on"]

    def safely_get_queryset(self) -> QuerySet[Delivery]:
        return selectors.delivery_list()


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The suppliers' invoices this school recorded, each with the expenditure it records."""

    model = Invoice
    serializer_class = s.InvoiceSerializer
    filterset_class = f.InvoiceFilter
    ordering_fields = ["id", "issued_on"]
    action_verbs = {"notes": "note"}

    def safely_get_queryset(self) -> QuerySet[Invoice]:
        return selectors.invoice_list()

    @extend_schema(
        request=s.InvoiceNoteCreateSerializer,
        responses={201: s.InvoiceNoteSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def notes(self, request: Request, pk: str | None = None) -> Response:
        """Record a credit or debit note against this paid invoice: per invoice line the
        quantity returned since and the unit price from now on (409 `invoice_not_paid` for an
        invoice not paid yet)."""
        invoice = self.get_object()
        data = s.InvoiceNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        note = invoice_note_record(
            invoice=invoice,
            lines=[NoteLineInput(**line) for line in values.pop("lines")],
            actor=signed_in(request),
            **values,
        )
        fresh = selectors.invoice_note_list().get(pk=note.pk)
        return Response(s.InvoiceNoteSerializer(fresh).data, status=status.HTTP_201_CREATED)


class InvoiceNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Credit and debit notes against this school's paid invoices, and their settlement."""

    model = InvoiceNote
    serializer_class = s.InvoiceNoteSerializer
    filterset_class = f.InvoiceNoteFilter
    ordering_fields = ["id", "issued_on"]
    action_verbs = {"settle": "settle"}

    def safely_get_queryset(self) -> QuerySet[InvoiceNote]:
        return selectors.invoice_note_list()

    @extend_schema(
        request=s.InvoiceNoteSettleSerializer,
        responses=s.InvoiceNoteSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def settle(self, request: Request, pk: str | None = None) -> Response:
        """Record the settlement of this note: once (409 `already_settled` after), not by whoever
        recorded it."""
        note = self.get_object()
        data = s.InvoiceNoteSettleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = invoice_note_settle(note=note, actor=signed_in(request), **data.validated_data)
        return Response(s.InvoiceNoteSerializer(selectors.invoice_note_list().get(pk=note.pk)).data)


class ExpenditureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """What this school owes and paid its suppliers, one row per matched invoice."""

    model = Expenditure
    serializer_class = s.ExpenditureSerializer
    filterset_class = f.ExpenditureFilter
    ordering_fields = ["id", "spent_on"]
    action_verbs = {"pay": "pay"}

    def safely_get_queryset(self) -> QuerySet[Expenditure]:
        return selectors.expenditure_list()

    @extend_schema(
        request=s.ExpenditurePaySerializer,
        responses=s.ExpenditureSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def pay(self, request: Request, pk: str | None = None) -> Response:
        """Record the payment of this expenditure: once (409 `already_paid` after)."""
        expenditure = self.get_object()
        data = s.ExpenditurePaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expenditure = expenditure_pay(
            expenditure=expenditure, actor=signed_in(request), **data.validated_data
        )
        fresh = selectors.expenditure_list().get(pk=expenditure.pk)
        return Response(s.ExpenditureSerializer(fresh).data)
