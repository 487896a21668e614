"""A school's orders on its host: the orders still to be delivered, and receiving a delivery
(what came, what was sent back) with, for food, the canteen's inbound inspection (进货查验) made
with it. Pages read through the orders' selectors and write through their services."""

from decimal import Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from tenant_apps.orders import selectors
from tenant_apps.orders.models import Order
from tenant_apps.orders.services.deliveries import DeliveryLineInput, delivery_record
from tenant_apps.orders.web.forms import DeliveryForm

RECEIVES = "orders.deliver_order"


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
        found = (
            restrict(selectors.orders_awaiting_delivery(), self.request.user, "view")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if found is None:
            raise Http404
        return found

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
        delivery = run(
            form,
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
        return reverse("orders:due")
