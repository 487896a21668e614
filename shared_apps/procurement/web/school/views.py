"""A school's requisitions (采购需求) in pages, on its host. The canteen manager or the logistics
director raises one from the catalogue with the month's quantities; the principal approves or
rejects it (never whoever raised it: the service refuses, and the page says so before anyone
tries); everyone who reads it follows each line through the centre's tender to the framework
contract that followed. The same services and selectors as the API, rows through `restrict()`."""

from datetime import date
from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.db import tenant_db
from houqin.months import next_month
from houqin.permissions import has_perm, restrict, roles_of
from houqin.roles import allows_own, grants_of
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.models import Category, Requisition
from shared_apps.procurement.selectors import suppliers as supply
from shared_apps.procurement.selectors import tenders as selectors
from shared_apps.procurement.services import requisitions as services
from shared_apps.procurement.web.school.forms import RaiseForm, RejectForm

SECTION = gettext_lazy("Procurement")
READS = "procurement.view_requisition"
RAISES = "procurement.add_requisition"
APPROVES = "procurement.approve_requisition"


def _reads(request: HttpRequest) -> bool:
    """Whoever reads the school's requisitions, or only those they raised (the canteen
    manager's own)."""
    return has_perm(request.user, READS) or allows_own(grants_of(roles_of(request.user)), READS)


def _requisition(request: HttpRequest, pk: int, verb: str = "view") -> Requisition:
    """The requisition `pk` among those the caller may `verb` here, else 404."""
    rows = restrict(selectors.requisition_list(), request.user, verb)
    found: Requisition = get_object_or_404(rows, pk=pk)
    return found


def requisitions_waiting(request: HttpRequest) -> Panel | None:
    """The home page's panel for the principal: the requisitions waiting for a decision."""
    if not has_perm(request.user, APPROVES):
        return None
    rows = restrict(selectors.requisition_list(), request.user, "approve")
    pending = rows.filter(status=Requisition.Status.PENDING).count()
    path = reverse("requisitions:list")
    return Panel(_("Requisitions"), [Waiting(_("Requisitions to approve"), pending, path)])


class RequisitionListPage(Page):
    """The school's requisitions, newest first, with where each stands."""

    title = gettext_lazy("Requisitions")
    nav = Nav(SECTION, gettext_lazy("Requisitions"), 10)
    template_name = "procurement/school/requisition_list.html"

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        return _reads(request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = restrict(selectors.requisition_list(), self.request.user, "view")
        return super().get_context_data(
            requisitions=rows,
            can_raise=has_perm(self.request.user, RAISES),
            **kwargs,
        )


class RequisitionRaisePage(FormPage):
    """Raise a requisition: the month the goods are for and, from one category of the catalogue
    at a time, the quantity of each item wanted that month."""

    permission = RAISES
    title = gettext_lazy("Raise a requisition")
    nav = Nav(SECTION, gettext_lazy("Raise a requisition"), 11)
    template_name = "procurement/school/requisition_raise.html"
    form_class = RaiseForm

    @cached_property
    def category(self) -> str:
        chosen = self.request.GET.get("category", "")
        return chosen if chosen in Category.values else Category.FOOD

    def get_form_kwargs(self) -> dict[str, Any]:
        items = list(supply.catalogue_list().filter(category=self.category).order_by("code"))
        return {"items": items, "month": next_month(timezone.localdate())}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            category=self.category, categories=Category.choices, **kwargs
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, RaiseForm)
        month: date = form.cleaned_data["month"]
        # Needed by the month's first day, or today for the month under way.
        needed_by = max(month, timezone.localdate())
        lines = [
            services.RequestedLine(item=item, quantity=quantity, needed_by=needed_by)
            for item, quantity in form.wanted()
        ]
        requisition = run(
            form,
            lambda: services.requisition_raise(
                school=tenant_db().tenant,
                lines=lines,
                note=form.cleaned_data["note"],
                actor=signed_in(self.request),
            ),
        )
        if requisition is None:
            return None
        messages.success(self.request, _("The requisition is raised. The principal approves it."))
        return reverse("requisitions:requisition", args=[requisition.pk])


class RequisitionPage(Page):
    """One requisition: its lines, who raised and who decided it, each line's way through the
    centre's tender to its contract, and the principal's acts while it waits."""

    template_name = "procurement/school/requisition.html"
    shows = Requisition

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        return _reads(request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        requisition = _requisition(self.request, kwargs["pk"])
        pending = requisition.status == Requisition.Status.PENDING
        approver = has_perm(self.request.user, APPROVES)
        own = requisition.raised_by_id == self.request.user.pk
        return super().get_context_data(
            requisition=requisition,
            title=_("Requisition %(number)s") % {"number": requisition.pk},
            progress=selectors.requisition_progress(requisition),
            can_decide=pending and approver and not own,
            own_to_decide=pending and approver and own,
            **kwargs,
        )


class _Decision(FormPage):
    """The principal's decision on a waiting requisition, confirmed on its own page (or from the
    requisition's page, which posts here)."""

    permission = APPROVES
    template_name = "procurement/school/requisition_decide.html"
    form_class: ClassVar[type[forms.Form]] = forms.Form
    question: ClassVar[Any]
    button: ClassVar[Any]

    @cached_property
    def requisition(self) -> Requisition:
        return _requisition(self.request, self.kwargs["pk"], "approve")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            requisition=self.requisition, question=self.question, button=self.button, **kwargs
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


class RequisitionApprovePage(_Decision):
    title = gettext_lazy("Approve the requisition")
    question = gettext_lazy("Approve this requisition? The centre may then tender its lines.")
    button = gettext_lazy("Approve")

    def act(self, form: forms.Form) -> str | None:
        actor = signed_in(self.request)
        done = run(
            form,
            lambda: services.requisition_approve(requisition=self.requisition, actor=actor),
        )
        if done is None:
            return None
        messages.success(self.request, _("The requisition is approved: the centre tenders it."))
        return reverse("requisitions:requisition", args=[done.pk])


class RequisitionRejectPage(_Decision):
    title = gettext_lazy("Reject the requisition")
    form_class = RejectForm
    question = gettext_lazy("Send this requisition back with your reason?")
    button = gettext_lazy("Reject")

    def act(self, form: forms.Form) -> str | None:
        actor, reason = signed_in(self.request), form.cleaned_data["reason"]
        done = run(
            form,
            lambda: services.requisition_reject(
                requisition=self.requisition, reason=reason, actor=actor
            ),
        )
        if done is None:
            return None
        messages.success(self.request, _("The requisition is rejected with your reason."))
        return reverse("requisitions:requisition", args=[done.pk])
