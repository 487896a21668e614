"""A school's orders on its host, from placing to paying. The canteen manager (or the logistics
director) orders at a framework contract's prices from the contracts in force, receives each
delivery line by line (what came, what was sent back and why) with, for food, the canteen's
inbound inspection (进货查验) made with it, and rates the supplier once a month; the accountant
records the supplier's invoice, matched three ways line by line (ordered, accepted, invoiced,
price), and another accountant pays it, once. Pages read through the orders' selectors and
write through their services; a refusal is shown next to the line it names."""

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.db import tenant_db
from houqin.exceptions import ServiceError
from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.models import FrameworkContract, SupplierRating
from shared_apps.procurement.selectors import suppliers as supply
from shared_apps.procurement.services.ratings import rating_record
from tenant_apps.orders import selectors
from tenant_apps.orders.models import Expenditure, Order
from tenant_apps.orders.services.deliveries import DeliveryLineInput, delivery_record
from tenant_apps.orders.services.invoices import (
    InvoiceLineInput,
    expenditure_pay,
    invoice_record,
)
from tenant_apps.orders.services.placing import LineInput, order_place
from tenant_apps.orders.web.forms import (
    DeliveryForm,
    InvoiceForm,
    PayForm,
    PlaceForm,
    RatingForm,
)

T = TypeVar("T")
SECTION = gettext_lazy("Procurement")
READS = "orders.view_order"
PLACES = "orders.add_order"
RECEIVES = "orders.deliver_order"
INVOICES = "orders.invoice_order"
PAYS = "orders.pay_expenditure"
RATES = "procurement.add_supplierrating"


def by_line(
    form: forms.Form, keys: list[int], names: Mapping[str, str], call: Callable[[], T]
) -> T | None:
    """`run` for a service that names its problems line by line (`fields["lines"]`, one entry
    per line given, in the order of `keys`): each problem is shown next to its line's field
    (`names` maps the service's field to the form's prefix), the first above the form too."""

    def placed() -> T:
        try:
            return call()
        except ServiceError as error:
            fields = error.fields if isinstance(error.fields, Mapping) else {}
            per_line = fields.get("lines")
            if isinstance(per_line, list) and len(per_line) == len(keys):
                for key, problems in zip(keys, per_line, strict=True):
                    for field, texts in (problems if isinstance(problems, dict) else {}).items():
                        name = f"{names.get(field, field)}_{key}"
                        for text in texts if name in form.fields else ():
                            form.add_error(name, str(text))
            raise

    return run(form, placed)


def _order(request: HttpRequest, pk: int, verb: str = "view") -> Order:
    """The order `pk` among those the caller may `verb` here, else 404 (as the API answers)."""
    found: Order = get_object_or_404(restrict(selectors.order_detail(), request.user, verb), pk=pk)
    return found


class OrderListPage(Page):
    """The school's orders, newest first, with what is still to come and to be paid."""

    permission = READS
    title = gettext_lazy("School orders")
    nav = Nav(SECTION, gettext_lazy("School orders"), 20)
    template_name = "orders/order_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        orders = restrict(selectors.order_list(), user, "view").order_by("-ordered_on", "-pk")
        return super().get_context_data(
            orders=orders[:100],
            can_place=has_perm(user, PLACES),
            **kwargs,
        )


class OrderPage(Page):
    """One order: its lines matched three ways (ordered, accepted, invoiced), its deliveries with
    what was sent back and why, its invoices with the expenditure each records, and the acts the
    caller may take on it."""

    permission = READS
    template_name = "orders/order.html"
    shows = Order

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        order = _order(self.request, kwargs["pk"])
        user = self.request.user
        open_statuses = (Order.Status.PLACED, Order.Status.PARTLY_DELIVERED)
        to_invoice = any(
            line.delivered_quantity > line.invoiced_quantity for line in order.lines.all()
        )
        return super().get_context_data(
            order=order,
            title=_("Order %(number)s") % {"number": order.number},
            can_receive=order.status in open_statuses and has_perm(user, RECEIVES),
            can_invoice=to_invoice
            and order.status != Order.Status.CANCELLED
            and has_perm(user, INVOICES),
            can_pay=has_perm(user, PAYS),
            **kwargs,
        )


class PlacePage(FormPage):
    """Order at contract prices: the contracts in force today to choose from, then the chosen
    one's price list with a quantity per item and the delivery date."""

    permission = PLACES
    title = gettext_lazy("Place an order")
    nav = Nav(SECTION, gettext_lazy("Place an order"), 21)
    template_name = "orders/place.html"
    form_class = PlaceForm

    @cached_property
    def contracts(self) -> list[FrameworkContract]:
        in_force = supply.contract_list(in_force_on=timezone.localdate())
        return list(restrict(in_force, self.request.user, "view").order_by("number"))

    @cached_property
    def contract(self) -> FrameworkContract | None:
        chosen = self.request.GET.get("contract", "")
        return next((c for c in self.contracts if str(c.pk) == chosen), None)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"prices": list(self.contract.prices.all()) if self.contract else []}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contracts=self.contracts, contract=self.contract, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.contract is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, PlaceForm) and self.contract is not None
        data = form.cleaned_data
        given = [price for price in form.prices if data[f"quantity_{price.item_id}"]]
        if not given:
            form.add_error(None, _("Give the quantity of at least one item."))
            return None
        contract = self.contract
        order = by_line(
            form,
            [price.item_id for price in given],
            {"unit_price": "quantity", "item": "quantity"},
            lambda: order_place(
                contract=contract,
                due_on=data["due_on"],
                note=data["note"],
                lines=[
                    LineInput(
                        item=price.item_id,
                        quantity=data[f"quantity_{price.item_id}"],
                        unit_price=data[f"price_{price.item_id}"],
                    )
                    for price in given
                ],
                actor=signed_in(self.request),
            ),
        )
        if order is None:
            return None
        messages.success(
            self.request,
            _("Order %(number)s placed: %(amount)s CNY.")
            % {"number": order.number, "amount": order.amount},
        )
        return reverse("orders:order", args=[order.pk])


class DuePage(Page):
    """The orders still to be delivered, the soonest due first."""

    permission = RECEIVES
    title = gettext_lazy("Deliveries to receive")
    nav = Nav(gettext_lazy("Canteen"), gettext_lazy("Deliveries to receive"), 65)
    template_name = "orders/due.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        orders = restrict(selectors.orders_awaiting_delivery(), self.request.user, "view")
        return super().get_context_data(orders=orders, **kwargs)


def deliveries_waiting(request: HttpRequest) -> Panel | None:
    """The home page's panel for whoever receives deliveries: the orders due."""
    if not has_perm(request.user, RECEIVES):
        return None
    due = restrict(selectors.orders_awaiting_delivery(), request.user, "view").count()
    return Panel(_("Deliveries"), [Waiting(_("Orders to receive"), due, reverse("orders:due"))])


def payments_waiting(request: HttpRequest) -> Panel | None:
    """The home page's panel for the accountant: invoices to record, expenditures to pay."""
    if not has_perm(request.user, PAYS):
        return None
    path = reverse("orders:payments")
    unpaid = restrict(selectors.expenditures_unpaid(), request.user, "view").count()
    to_invoice = restrict(selectors.orders_to_invoice(), request.user, "view").count()
    return Panel(
        _("Suppliers' invoices"),
        [
            Waiting(_("Orders to invoice"), to_invoice, path),
            Waiting(_("Invoices to pay"), unpaid, path),
        ],
    )


class DeliverPage(FormPage):
    """Receive a delivery of one order: per line the quantity that came and what was rejected
    (sent back, with why); a delivery of food is inspected on arrival (batch, papers, shelf
    life)."""

    permission = RECEIVES
    title = gettext_lazy("Receive a delivery")
    template_name = "orders/deliver.html"
    form_class = DeliveryForm

    @cached_property
    def order(self) -> Order:
        rows = restrict(selectors.orders_awaiting_delivery(), self.request.user, "deliver")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        lines = [line for line in self.order.lines.all() if line.delivered_quantity < line.quantity]
        return {"lines": lines}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(order=self.order, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, DeliveryForm)
        data = form.cleaned_data
        lines = [
            DeliveryLineInput(
                line=line.pk,
                quantity=data[f"received_{line.pk}"],
                rejected=data[f"rejected_{line.pk}"] or Decimal(0),
                rejection_reason=data[f"reason_{line.pk}"],
            )
            for line in form.lines
            if data[f"received_{line.pk}"]
        ]
        delivery = by_line(
            form,
            [given.line for given in lines],
            {"rejected": "rejected", "rejection_reason": "reason", "quantity": "received"},
            lambda: delivery_record(
                order=self.order,
                lines=lines,
                received_on=data["received_on"],
                batch=data["batch"],
                certificates=data["certificates"],
                shelf_life_until=data["shelf_life_until"],
                note=data["note"],
                actor=signed_in(self.request),
            ),
        )
        if delivery is None:
            return None
        if delivery.inspection_id is not None:
            messages.success(self.request, _("Delivery received and inspected."))
            return reverse("canteen:inspections")
        messages.success(self.request, _("Delivery received."))
        return reverse("orders:order", args=[self.order.pk])


class InvoicePage(FormPage):
    """Record the supplier's invoice for an order, matched three ways line by line: what was
    ordered and at what price, what was accepted and not yet invoiced, what the invoice bills.
    A mismatch is refused with the reason next to its line, and nothing is saved."""

    permission = INVOICES
    title = gettext_lazy("Record an invoice")
    template_name = "orders/invoice.html"
    form_class = InvoiceForm

    @cached_property
    def order(self) -> Order:
        return _order(self.request, self.kwargs["pk"], "invoice")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"lines": list(self.order.lines.all())}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(order=self.order, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, InvoiceForm)
        data = form.cleaned_data
        billed = [line for line in form.lines if data[f"quantity_{line.pk}"]]
        for line in billed:
            if data[f"price_{line.pk}"] is None:
                form.add_error(f"price_{line.pk}", _("This field is required."))
        if not form.is_valid():
            return None
        invoice = by_line(
            form,
            [line.pk for line in billed],
            {"unit_price": "price"},
            lambda: invoice_record(
                order=self.order,
                number=data["number"],
                issued_on=data["issued_on"],
                amount=data["amount"],
                lines=[
                    InvoiceLineInput(
                        line=line.pk,
                        quantity=data[f"quantity_{line.pk}"],
                        unit_price=data[f"price_{line.pk}"],
                    )
                    for line in billed
                ],
                actor=signed_in(self.request),
            ),
        )
        if invoice is None:
            return None
        messages.success(
            self.request,
            _("Invoice %(number)s recorded: %(amount)s CNY to pay, by another accountant.")
            % {"number": invoice.number, "amount": invoice.amount},
        )
        return reverse("orders:order", args=[self.order.pk])


class PaymentsPage(Page):
    """What the school owes its suppliers, one row per matched invoice, the oldest first."""

    permission = PAYS
    title = gettext_lazy("Invoices to pay")
    nav = Nav(SECTION, gettext_lazy("Invoices to pay"), 23)
    template_name = "orders/payments.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            unpaid=restrict(selectors.expenditures_unpaid(), user, "view"),
            to_invoice=restrict(selectors.orders_to_invoice(), user, "view"),
            **kwargs,
        )


class PayPage(FormPage):
    """Record the payment of one expenditure: once, and not by whoever recorded its invoice."""

    permission = PAYS
    title = gettext_lazy("Pay an invoice")
    template_name = "orders/pay.html"
    form_class = PayForm

    @cached_property
    def expenditure(self) -> Expenditure:
        rows = restrict(selectors.expenditure_list(), self.request.user, "pay")
        found: Expenditure = get_object_or_404(
            rows.select_related("invoice__order", "invoice__recorded_by"), pk=self.kwargs["pk"]
        )
        return found

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(expenditure=self.expenditure, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        paid = run(
            form,
            lambda: expenditure_pay(
                expenditure=self.expenditure,
                paid_on=data["paid_on"],
                reference=data["reference"],
                actor=signed_in(self.request),
            ),
        )
        if paid is None:
            return None
        messages.success(
            self.request,
            _("Paid: %(amount)s CNY to %(supplier)s.")
            % {"amount": paid.amount, "supplier": self.expenditure.supplier.name},
        )
        return reverse("orders:order", args=[self.expenditure.invoice.order_id])


class RatingPage(FormPage):
    """Rate a supplier the school ordered from, once a month (quality, punctuality, service),
    and the school's ratings so far."""

    permission = RATES
    title = gettext_lazy("Rate a supplier")
    nav = Nav(SECTION, gettext_lazy("Rate a supplier"), 24)
    template_name = "orders/rating.html"
    form_class = RatingForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"suppliers": selectors.suppliers_ordered_from()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ratings = restrict(supply.rating_list(), self.request.user, "view")
        return super().get_context_data(ratings=ratings[:24], **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        supplier = supply.supplier_get(user=self.request.user, pk=data["supplier"])
        if supplier is None:
            form.add_error("supplier", _("No such supplier."))
            return None
        rating: SupplierRating | None = run(
            form,
            lambda: rating_record(
                school=tenant_db().tenant,
                supplier=supplier,
                month=data["month"],
                quality=data["quality"],
                punctuality=data["punctuality"],
                service=data["service"],
                comment=data["comment"],
                actor=signed_in(self.request),
            ),
            field="supplier",
        )
        if rating is None:
            return None
        messages.success(
            self.request,
            _("%(supplier)s rated %(score)d for %(month)s.")
            % {"supplier": supplier.name, "score": rating.score, "month": f"{rating.month:%Y-%m}"},
        )
        return reverse("orders:rate")
