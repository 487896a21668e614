"""Boarding's pages on a school's host (phone first: the dorm manager walks the corridors):
rooms and beds with their occupancy, tonight's roll call, leaves to decide; and the principal's
boarding money per term (fees, refunds, the boarders' living allowance)."""

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from tenant_apps.dorms import selectors
from tenant_apps.dorms.models import Leave
from tenant_apps.dorms.services import leave as leaves
from tenant_apps.dorms.web import forms as f
from tenants.selectors import current_school

SECTION = gettext_lazy("Boarding")


class RoomsPage(Page):
    """Every room, its sex and stage, its beds in service and how many are taken tonight."""

    permission = "dorms.view_room"
    title = gettext_lazy("Rooms and beds")
    nav = Nav(SECTION, gettext_lazy("Rooms and beds"), 10)
    template_name = "dorms/rooms.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rooms = selectors.room_list(on=timezone.localdate())
        return super().get_context_data(rooms=rooms, **kwargs)


class RollCallPage(Page):
    """The last roll call taken, the missing boarders first."""

    permission = "dorms.view_rollcall"
    title = gettext_lazy("Tonight's roll call")
    nav = Nav(SECTION, gettext_lazy("Tonight's roll call"), 20)
    template_name = "dorms/roll_call.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        roll_call = selectors.roll_call_list().first()
        return super().get_context_data(roll_call=roll_call, **kwargs)


class LeavesPage(Page):
    """Leaves waiting for a decision, then the latest decided."""

    permission = "dorms.view_leave"
    title = gettext_lazy("Leave")
    nav = Nav(SECTION, gettext_lazy("Leave"), 30)
    template_name = "dorms/leaves.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = selectors.leave_list().select_related("student")
        return super().get_context_data(
            waiting=rows.filter(status=Leave.Status.REQUESTED),
            decided=rows.exclude(status=Leave.Status.REQUESTED)[:20],
            **kwargs,
        )


class MoneyPage(Page):
    """Per term: the boarding fees charged and refunded, the boarders' living allowance claimed
    and paid; then the refunds still to pay back, the overdue first."""

    permission = "dorms.view_feecharge"
    title = gettext_lazy("Fees and allowance")
    nav = Nav(SECTION, gettext_lazy("Fees and allowance"), 40)
    template_name = "dorms/money.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        school = current_school()
        today = timezone.localdate()
        refunds = (
            selectors.fee_list()
            .filter(refund__gt=0, refunded_on__isnull=True)
            .order_by("refund_due", "id")
        )
        return super().get_context_data(
            terms=selectors.term_money(school_id=school.pk),
            refunds=refunds,
            overdue={fee.pk for fee in selectors.refunds_overdue(today)},
            rural=school.rural,
            **kwargs,
        )


class LeaveDecidePage(FormPage):
    permission = "dorms.approve_leave"
    title = gettext_lazy("Decide a leave")
    form_class = f.DecideForm
    template_name = "dorms/decide.html"

    @cached_property
    def leave(self) -> Leave:
        found = selectors.leave_list().select_related("student").filter(pk=self.kwargs["pk"])
        leave = found.first()
        if leave is None:
            raise Http404
        return leave

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(leave=self.leave, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        leave = self.leave
        approve = form.cleaned_data["approve"]
        decided = run(
            form,
            lambda: leaves.leave_decide(
                leave=leave, approve=approve, actor=signed_in(self.request)
            ),
        )
        if decided is None:
            return None
        messages.success(self.request, _("The leave is decided."))
        return reverse("dorms:leaves")
