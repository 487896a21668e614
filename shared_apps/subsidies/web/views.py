"""Subsidies in pages. On a school's host the logistics director computes the month's claim and
the principal reviews it, by day and by class, and submits it, and asks the district for a
supplementary budget; on the district host the finance officer reads programmes and every
school's budgets with their burn-down, confirms supplementary budgets, approves, rejects and pays
claims. Auditors read everything and act on nothing. The same services and selectors as the API,
rows through `restrict()` as the API reads them."""

import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import FilterSet

from houqin.db import tenant_db
from houqin.months import month_bounds, previous_month
from houqin.permissions import current_school_id, has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from shared_apps.subsidies import selectors, services
from shared_apps.subsidies.models import Budget, BudgetSupplement, Claim
from shared_apps.subsidies.web.forms import (
    BudgetListFilter,
    ClaimComputeForm,
    ClaimListFilter,
    ConfirmForm,
    PayForm,
    RejectForm,
    SchoolBudgetListFilter,
    SchoolClaimListFilter,
    SupplementForm,
)
from tenant_apps.canteen import selectors as canteen

SECTION = gettext_lazy("Subsidies")
CLAIM_SORTS = {
    "month": gettext_lazy("Month"),
    "school__code": gettext_lazy("School"),
    "amount": gettext_lazy("Amount"),
    "status": gettext_lazy("Status"),
}
BUDGET_SORTS = {
    "period_start": gettext_lazy("Budget period"),
    "school__code": gettext_lazy("School"),
    "committed": gettext_lazy("Committed"),
}
# The colours of the charts (app.css's).
GREEN, GREY, AMBER = "#0f5e4d", "#9aa5b1", "#c05621"


def _row(request: HttpRequest, rows: "QuerySet[Any]", verb: str, pk: int) -> Any:
    """The row `pk` among those the caller may `verb` here, else 404 (as the API answers)."""
    return get_object_or_404(restrict(rows, request.user, verb), pk=pk)


def _chart(kind: str, labels: list[str], datasets: list[dict[str, Any]]) -> str:
    """A Chart.js configuration for a `<canvas data-chart>` (app.js draws it)."""
    return json.dumps(
        {
            "type": kind,
            "data": {"labels": labels, "datasets": datasets},
            "options": {
                "maintainAspectRatio": False,
                "animation": False,
                "scales": {"y": {"beginAtZero": True}},
            },
        },
        ensure_ascii=False,
    )


def _budget_figures(budget: Budget) -> dict[str, Any]:
    return {
        "budget": budget,
        "total": selectors.budget_total(budget),
        "share": selectors.budget_spent_share(budget) * 100,
    }


# Claims -----------------------------------------------------------------------------------------


class ClaimListPage(Page):
    permission = "subsidies.view_claim"
    title = gettext_lazy("Monthly claims")
    nav = Nav(SECTION, gettext_lazy("Monthly claims"), 10)
    template_name = "subsidies/claim_list.html"
    filterset_class: ClassVar[type[FilterSet]] = ClaimListFilter

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = restrict(selectors.claim_list(), self.request.user, "view")
        context["listing"] = listing(
            self.request, rows, self.filterset_class, sorts=CLAIM_SORTS, default_sort="-month"
        )
        context["on_district_host"] = current_school_id() is None
        context["can_compute"] = has_perm(self.request.user, "subsidies.prepare_claim")
        return context


class SchoolClaimListPage(ClaimListPage):
    filterset_class = SchoolClaimListFilter


class ClaimPage(Page):
    """One claim: its figures, the month by school day (and, on the school's host, by class, as
    the canteen's records count it now), its history and payments, and the acts the caller may
    take on it."""

    permission = "subsidies.view_claim"
    template_name = "subsidies/claim.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        claim: Claim = _row(self.request, selectors.claim_list(), "view", kwargs["pk"])
        days = [(date.fromisoformat(day), count) for day, count in sorted(claim.breakdown.items())]
        context.update(
            claim=claim,
            title=_("Claim of %(month)s") % {"month": f"{claim.month:%Y-%m}"},
            # A claim paid by stage has its amounts by stage, not by day.
            days=[
                (day, count, None if claim.stage_units else claim.daily_rate * count)
                for day, count in days
            ],
            day_chart=_chart(
                "bar",
                [f"{day:%m-%d}" for day, _count in days],
                [
                    {
                        "label": _("Student-days"),
                        "data": [count for _day, count in days],
                        "backgroundColor": GREEN,
                    }
                ],
            ),
            acts=_claim_acts(self.request, claim),
        )
        if current_school_id() is not None:
            start, end = month_bounds(claim.month)
            classes = canteen.subsidised_student_days_by_class(
                start=start,
                end=end,
                programme=claim.programme.code,
                school_days=[day for day, _count in days],
            )
            context["classes"] = [(c, claim.daily_rate * c.student_days) for c in classes]
            context["records_now"] = sum(c.student_days for c in classes)
        return context


@dataclass(frozen=True)
class Act:
    """A button on a row's page: a link to the act's own page, or a confirmed POST to it."""

    label: Any
    path: str
    question: Any = None
    secondary: bool = False


def _claim_acts(request: HttpRequest, claim: Claim) -> list[Act]:
    """What the caller may do to `claim` here, as it stands: on the school's host compute it
    again and submit it, on the district host decide and pay it."""
    user = request.user
    acts: list[Act] = []
    pk = [claim.pk]
    if current_school_id() is not None:
        if claim.status == Claim.Status.DRAFT and has_perm(user, "subsidies.prepare_claim"):
            query = urlencode({"programme": claim.programme.code, "month": f"{claim.month:%Y-%m}"})
            path = f"{reverse('subsidies:claim-compute')}?{query}"
            acts.append(Act(_("Compute again"), path, secondary=True))
        if claim.status == Claim.Status.DRAFT and has_perm(user, ClaimSubmitPage.permission):
            path = reverse("subsidies:claim-submit", args=pk)
            acts.append(Act(ClaimSubmitPage.button, path, ClaimSubmitPage.question))
        return acts
    if claim.status == Claim.Status.SUBMITTED and has_perm(user, ClaimApprovePage.permission):
        path = reverse("subsidies:claim-approve", args=pk)
        acts.append(Act(ClaimApprovePage.button, path, ClaimApprovePage.question))
        path = reverse("subsidies:claim-reject", args=pk)
        acts.append(Act(_("Reject with a reason"), path, secondary=True))
    if claim.status == Claim.Status.APPROVED and has_perm(user, ClaimPayPage.permission):
        acts.append(Act(_("Record a payment"), reverse("subsidies:claim-pay", args=pk)))
    return acts


class ClaimComputePage(FormPage):
    """The logistics director computes (or recomputes, while a draft) the month's claim from the
    canteen's servings; refused before the month's last school day."""

    permission = "subsidies.prepare_claim"
    title = gettext_lazy("Compute a claim")
    nav = Nav(SECTION, gettext_lazy("Compute a claim"), 11)
    template_name = "subsidies/claim_compute.html"
    form_class = ClaimComputeForm

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        month = self.request.GET.get("month") or f"{previous_month():%Y-%m}"
        initial = {"month": month, "programme": self.request.GET.get("programme")}
        return self.form_class(data, files, initial=initial)

    def act(self, form: forms.Form) -> str | None:
        claim = run(
            form,
            lambda: services.claim_compute_after_month(
                school=tenant_db().tenant,
                programme=form.cleaned_data["programme"],
                month=form.cleaned_data["month"],
                actor=signed_in(self.request),
            ),
        )
        if claim is None:
            return None
        messages.success(
            self.request,
            _("The claim of %(month)s is computed: %(amount)s CNY. The principal submits it.")
            % {"month": f"{claim.month:%Y-%m}", "amount": claim.amount},
        )
        return reverse("subsidies:claim", args=[claim.pk])


class _ClaimAct(FormPage):
    """An act on one claim, confirmed on its own page (or from the claim's page, which posts
    here): the claim the caller may `verb`, and the service the form hands it to."""

    template_name = "subsidies/claim_act.html"
    form_class: ClassVar[type[forms.Form]] = ConfirmForm
    verb: ClassVar[str]
    question: ClassVar[Any]
    button: ClassVar[Any]
    success: ClassVar[Any]

    @cached_property
    def claim(self) -> Claim:
        claim: Claim = _row(self.request, selectors.claim_list(), self.verb, self.kwargs["pk"])
        return claim

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(claim=self.claim, question=self.question, button=self.button)
        return context

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def done(self, result: object) -> str | None:
        """Where to go once the service acted (None: it refused, and the form says why)."""
        if result is None:
            return None
        messages.success(self.request, self.success)
        return reverse("subsidies:claim", args=[self.claim.pk])


class ClaimSubmitPage(_ClaimAct):
    permission = "subsidies.submit_claim"
    title = gettext_lazy("Submit the claim")
    verb = "submit"
    question = gettext_lazy("Submit this claim to the district? It can no longer be recomputed.")
    button = gettext_lazy("Submit to the district")
    success = gettext_lazy("The claim is submitted to the district.")

    def act(self, form: forms.Form) -> str | None:
        actor = signed_in(self.request)
        return self.done(run(form, lambda: services.claim_submit(claim=self.claim, actor=actor)))


class ClaimApprovePage(_ClaimAct):
    permission = "subsidies.approve_claim"
    title = gettext_lazy("Approve the claim")
    verb = "approve"
    question = gettext_lazy("Approve this claim? Its amount is committed against the budget.")
    button = gettext_lazy("Approve")
    success = gettext_lazy("The claim is approved; its amount is committed against the budget.")

    def act(self, form: forms.Form) -> str | None:
        actor = signed_in(self.request)
        return self.done(run(form, lambda: services.claim_approve(claim=self.claim, actor=actor)))


class ClaimRejectPage(_ClaimAct):
    permission = "subsidies.approve_claim"
    title = gettext_lazy("Reject the claim")
    form_class = RejectForm
    verb = "approve"
    question = gettext_lazy("Send this claim back to the school with your reason?")
    button = gettext_lazy("Reject")
    success = gettext_lazy("The claim is sent back to the school.")

    def act(self, form: forms.Form) -> str | None:
        reason, actor = form.cleaned_data["reason"], signed_in(self.request)
        return self.done(
            run(form, lambda: services.claim_reject(claim=self.claim, reason=reason, actor=actor))
        )


class ClaimPayPage(_ClaimAct):
    permission = "subsidies.disburse_claim"
    title = gettext_lazy("Pay the claim")
    form_class = PayForm
    verb = "disburse"
    question = gettext_lazy("Record this payment? A payment cannot be undone.")
    button = gettext_lazy("Record the payment")
    success = gettext_lazy("The payment is recorded.")

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        claim = self.claim
        initial = {"amount": claim.amount - claim.disbursed, "paid_on": timezone.localdate()}
        return self.form_class(data, files, initial=initial)

    def act(self, form: forms.Form) -> str | None:
        data, actor = form.cleaned_data, signed_in(self.request)
        return self.done(
            run(
                form,
                lambda: services.disbursement_record(
                    claim=self.claim,
                    amount=data["amount"],
                    paid_on=data["paid_on"],
                    reference=data["reference"],
                    actor=actor,
                ),
            )
        )


# Programmes and budgets -------------------------------------------------------------------------


class ProgrammeListPage(Page):
    permission = "subsidies.view_programme"
    title = gettext_lazy("Subsidy programmes")
    nav = Nav(SECTION, gettext_lazy("Programmes"), 20)
    template_name = "subsidies/programme_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["programmes"] = restrict(selectors.programme_list(), self.request.user, "view")
        return context


class BudgetListPage(Page):
    permission = "subsidies.view_budget"
    title = gettext_lazy("Budgets")
    nav = Nav(SECTION, gettext_lazy("Budgets"), 21)
    template_name = "subsidies/budget_list.html"
    filterset_class: ClassVar[type[FilterSet]] = BudgetListFilter

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = restrict(selectors.budget_list(), self.request.user, "view")
        page = listing(
            self.request,
            rows,
            self.filterset_class,
            sorts=BUDGET_SORTS,
            default_sort="-period_start",
        )
        on_district_host = current_school_id() is None
        context.update(
            listing=page,
            rows=[_budget_figures(budget) for budget in page.page],
            on_district_host=on_district_host,
        )
        if on_district_host:
            supplements = restrict(selectors.supplement_list(), self.request.user, "view")
            context["proposed"] = supplements.filter(
                status=BudgetSupplement.Status.PROPOSED
            ).select_related("budget__school", "budget__programme")
            context["can_confirm"] = has_perm(
                self.request.user, "subsidies.approve_budgetsupplement"
            )
        return context


class SchoolBudgetListPage(BudgetListPage):
    filterset_class = SchoolBudgetListFilter


class BudgetPage(Page):
    """One budget: what it holds and what is left, month by month against an even spend, the
    claims against it and its supplements."""

    permission = "subsidies.view_budget"
    template_name = "subsidies/budget.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        budget: Budget = _row(self.request, selectors.budget_list(), "view", kwargs["pk"])
        burn = selectors.budget_burn_down(budget)
        user = self.request.user
        context.update(
            _budget_figures(budget),
            title=_("Budget: %(programme)s, %(school)s")
            % {"programme": budget.programme.name, "school": budget.school.name},
            claims=budget.claims.select_related("programme").order_by("-month", "-id"),
            burn_down=_chart(
                "line",
                [f"{month:%Y-%m}" for month in burn.months],
                [
                    {
                        "label": _("Left after approved claims"),
                        "data": [str(v) if v is not None else None for v in burn.remaining],
                        "borderColor": GREEN,
                        "backgroundColor": GREEN,
                    },
                    {
                        "label": _("Even spending"),
                        "data": [str(v) for v in burn.even],
                        "borderColor": GREY,
                        "backgroundColor": GREY,
                        "borderDash": [6, 4],
                    },
                ],
            ),
            burn=list(zip(burn.months, burn.remaining, burn.even, strict=True)),
            can_request=has_perm(user, "subsidies.supplement_budget")
            and current_school_id() is not None,
            can_confirm=has_perm(user, "subsidies.approve_budgetsupplement")
            and current_school_id() is None,
        )
        return context


class SupplementRequestPage(FormPage):
    """The principal asks the district for more of a budget (追加预算), saying why; a finance
    officer confirms it."""

    permission = "subsidies.supplement_budget"
    title = gettext_lazy("Request a supplementary budget")
    template_name = "subsidies/supplement_request.html"
    form_class = SupplementForm

    @cached_property
    def budget(self) -> Budget:
        pk = self.kwargs["pk"]
        budget: Budget = _row(self.request, selectors.budget_list(), "supplement", pk)
        return budget

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_budget_figures(self.budget))
        return context

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        budget = self.budget
        requested = run(
            form,
            lambda: services.budget_supplement(
                budget=budget,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=signed_in(self.request),
            ),
        )
        if requested is None:
            return None
        messages.success(
            self.request, _("The request is sent: the district confirms it before it counts.")
        )
        return reverse("subsidies:budget", args=[budget.pk])


class SupplementApprovePage(FormPage):
    """A finance officer confirms a supplementary budget another person asked for: the budget
    holds it from now on."""

    permission = "subsidies.approve_budgetsupplement"
    title = gettext_lazy("Confirm a supplementary budget")
    template_name = "subsidies/supplement_approve.html"
    form_class = ConfirmForm

    @cached_property
    def supplement(self) -> BudgetSupplement:
        supplement: BudgetSupplement = _row(
            self.request, selectors.supplement_list(), "approve", self.kwargs["pk"]
        )
        return supplement

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["supplement"] = self.supplement
        return context

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        supplement = self.supplement
        approved = run(
            form,
            lambda: services.budget_supplement_approve(
                supplement=supplement, actor=signed_in(self.request)
            ),
        )
        if approved is None:
            return None
        messages.success(self.request, _("The supplementary budget is confirmed."))
        return reverse("subsidies:budget", args=[approved.budget_id])


# Home panels --------------------------------------------------------------------------------------


def school_panel(request: HttpRequest) -> Panel | None:
    """On a school's host: the month's claims to compute (logistics director), claims to submit
    (principal), budgets nearly spent (both)."""
    user = request.user
    school_id = current_school_id()
    assert school_id is not None
    items: list[Waiting] = []
    if has_perm(user, "subsidies.prepare_claim"):
        month = previous_month()
        items.append(
            Waiting(
                _("Claims to compute for %(month)s") % {"month": f"{month:%Y-%m}"},
                selectors.programmes_to_claim(school_id=school_id, month=month).count(),
                f"{reverse('subsidies:claim-compute')}?month={month:%Y-%m}",
            )
        )
    if has_perm(user, "subsidies.submit_claim"):
        drafts = selectors.claim_list().here().filter(status=Claim.Status.DRAFT)
        items.append(
            Waiting(
                _("Claims to submit"),
                drafts.count(),
                f"{reverse('subsidies:claims')}?status={Claim.Status.DRAFT}",
            )
        )
    if items:
        items.append(
            Waiting(
                _("Budgets nearly spent"),
                selectors.budgets_nearly_spent().here().count(),
                reverse("subsidies:budgets"),
                warn=True,
            )
        )
        return Panel(_("Subsidies"), items)
    return None


def district_panel(request: HttpRequest) -> Panel | None:
    """On the district host, for the finance officer: claims to approve and to pay,
    supplementary budgets to confirm, budgets nearly spent."""
    user = request.user
    if not has_perm(user, "subsidies.approve_claim"):
        return None
    claims = selectors.claim_list().across_schools()
    claims_path = reverse("subsidies:claims")
    proposed = (
        selectors.supplement_list()
        .across_schools()
        .filter(status=BudgetSupplement.Status.PROPOSED)
        .exclude(added_by=user.pk)
    )
    return Panel(
        _("Subsidies"),
        [
            Waiting(
                _("Claims to approve"),
                claims.filter(status=Claim.Status.SUBMITTED).count(),
                f"{claims_path}?status={Claim.Status.SUBMITTED}",
            ),
            Waiting(
                _("Claims to pay"),
                claims.filter(status=Claim.Status.APPROVED).count(),
                f"{claims_path}?status={Claim.Status.APPROVED}",
            ),
            Waiting(
                _("Supplementary budgets to confirm"),
                proposed.count(),
                f"{reverse('subsidies:budgets')}#proposed",
            ),
            Waiting(
                _("Budgets nearly spent"),
                selectors.budgets_nearly_spent().across_schools().count(),
                reverse("subsidies:budgets"),
                warn=True,
            ),
        ],
    )
