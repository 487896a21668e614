"""The procurement officer's pages on the district host: the requisitions waiting, by category;
a tender made from some of them, published, its reserve prices sealed, its timeline; the award
beside the members' scores and the committee's recommendation; the suppliers, the licences
waiting to be checked against their documents, suspensions and reinstatements; the framework
contracts in force with their price lists. Auditors read what the officer reads and act on
nothing. The same services and selectors as the API, rows through `restrict()` as the API reads
them; what was sealed until the opening is read only on the award page, and each read is logged
as the API logs it."""

from collections import defaultdict
from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.models import (
    Bid,
    Category,
    Lot,
    Qualification,
    RequisitionLine,
    Supplier,
    Tender,
)
from shared_apps.procurement.selectors import suppliers as supply
from shared_apps.procurement.selectors import tenders as selectors
from shared_apps.procurement.services import evaluation, opening, suppliers
from shared_apps.procurement.services import tenders as services
from shared_apps.procurement.web.office.forms import (
    AwardForm,
    ReasonForm,
    ReserveForm,
    TenderForm,
)
from shared_apps.procurement.web.scans import scan_response

SECTION = gettext_lazy("Procurement")


def _row(request: HttpRequest, rows: "QuerySet[Any]", verb: str, pk: int) -> Any:
    """The row `pk` among those the caller may `verb` here, else 404 (as the API answers)."""
    return get_object_or_404(restrict(rows, request.user, verb), pk=pk)


# Requisitions and tenders -------------------------------------------------------------------------


class RequisitionsWaitingPage(Page):
    """Approved requisitions' lines no tender aggregates yet, by category, each requisition with
    a box to tender it."""

    permission = "procurement.view_requisition"
    title = gettext_lazy("Requisitions waiting")
    nav = Nav(SECTION, gettext_lazy("Requisitions waiting"), 40)
    template_name = "procurement/office/requisitions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        lines = restrict(selectors.requisition_lines_waiting(), self.request.user, "view")
        groups: dict[str, list[RequisitionLine]] = defaultdict(list)
        for line in lines:
            groups[line.item.category].append(line)
        labels = dict(Category.choices)
        context.update(
            groups=[(labels[c], groups[c]) for c in Category.values if c in groups],
            can_tender=has_perm(self.request.user, "procurement.add_tender"),
        )
        return context


class TenderListPage(Page):
    permission = "procurement.view_tender"
    title = gettext_lazy("Tenders")
    nav = Nav(SECTION, gettext_lazy("Tenders"), 41)
    template_name = "procurement/office/tender_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tenders = restrict(Tender.objects.all(), self.request.user, "view")
        context["tenders"] = tenders.annotate(lot_count=Count("lots")).order_by("-created_at")
        return context


class TenderCreatePage(FormPage):
    """A tender from the requisitions ticked on the waiting page: kept only when it could be
    published as it stands (deadline, ceilings, weights, committee, threshold), else refused
    with each reason beside its setting and nothing kept."""

    permission = "procurement.add_tender"
    title = gettext_lazy("New tender")
    template_name = "procurement/office/tender_create.html"
    form_class = TenderForm

    def _chosen(self, data: Any) -> list[int]:
        return [int(pk) for pk in data.getlist("requisitions") if pk.isdigit()]

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        source = data if data is not None else self.request.GET
        ids = self._chosen(source)
        lines = restrict(selectors.requisition_lines_waiting(), self.request.user, "view")
        present = set(lines.filter(requisition_id__in=ids).values_list("item__category", flat=True))
        categories = [c for c in Category.values if c in present]
        initial = {"requisitions": ids} if data is None else None
        return TenderForm(data, files, categories=categories, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        lines = restrict(selectors.requisition_lines_waiting(), self.request.user, "view")
        context["lines"] = lines.filter(requisition_id__in=self._chosen(source))
        return context

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, TenderForm)
        data = form.cleaned_data
        tender = run(
            form,
            lambda: services.tender_prepare(
                title=data["title"],
                requisitions=list(data["requisitions"]),
                deadline=data["deadline"],
                price_weight=data["price_weight"],
                contract_months=data["contract_months"],
                threshold=data["threshold"],
                criteria=[services.CriterionSpec(*row) for row in form.criteria()],
                committee=list(data["committee"]),
                ceilings=form.ceilings(),
                actor=signed_in(self.request),
            ),
        )
        if tender is None:
            return None
        messages.success(self.request, _("The tender is drafted: publish it when ready."))
        return reverse("procurement-office:tender", args=[tender.pk])


class TenderPage(Page):
    """One tender: its settings, lots and committee, what is sealed (never what it holds), its
    timeline, and the acts the caller may take on it as it stands."""

    permission = "procurement.view_tender"
    template_name = "procurement/office/tender.html"
    shows = Tender

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tender: Tender = _row(self.request, selectors.tender_list(), "view", kwargs["pk"])
        user = self.request.user
        status = Tender.Status
        context.update(
            tender=tender,
            title=str(tender),
            price_weight_left=100 - tender.price_weight,
            can_publish=tender.status == status.DRAFT
            and has_perm(user, "procurement.publish_tender"),
            can_reserve=tender.status == status.PUBLISHED
            and not selectors.deadline_passed(tender)
            and has_perm(user, "procurement.change_tender")
            and any(lot.sealed_reserve is None for lot in tender.lots.all()),
            can_award=tender.status in (status.OPENED, status.EVALUATED, status.AWARDED)
            and has_perm(user, "procurement.award_tender"),
        )
        return context


class TenderPublishPage(Page):
    """Publish a draft: its key is made and sealed k of n to the committee."""

    permission = "procurement.publish_tender"
    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        tender = _row(request, Tender.objects.all(), "publish", kwargs["pk"])
        services.tender_publish(tender=tender, actor=signed_in(request))
        messages.success(
            request, _("The tender is published: suppliers may bid until the deadline.")
        )
        return HttpResponseRedirect(reverse("procurement-office:tender", args=[tender.pk]))


class ReservePage(FormPage):
    """The reserve price (标底) of each lot not yet given one, before the deadline: sealed to the
    tender's key at once and shown to nobody until the committee opens the bids. The form keeps
    no idempotency record: its hash of the body would be a way to guess the price."""

    permission = "procurement.change_tender"
    title = gettext_lazy("Seal the reserve prices")
    template_name = "procurement/office/reserve.html"
    form_class = ReserveForm

    @cached_property
    def tender(self) -> Tender:
        tender: Tender = _row(self.request, Tender.objects.all(), "change", self.kwargs["pk"])
        return tender

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        lots = list(self.tender.lots.filter(sealed_reserve__isnull=True).order_by("number"))
        return ReserveForm(data, files, lots=lots)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tender"] = self.tender
        context["sealed"] = self.tender.lots.filter(sealed_reserve__isnull=False).order_by("number")
        return context

    def act(self, form: forms.Form) -> str | None:
        assert isinstance(form, ReserveForm)
        if not form.lots:
            form.add_error(None, _("Every lot's reserve price is sealed."))
            return None
        sealed = run(
            form,
            lambda: services.tender_seal_reserve(
                tender=self.tender, reserves=form.reserves(), actor=signed_in(self.request)
            ),
        )
        if sealed is None:
            return None
        messages.success(self.request, _("The reserve prices are sealed until the opening."))
        return reverse("procurement-office:tender", args=[self.tender.pk])


class AwardPage(Page):
    """Once opened: each lot's valid bids with every member's scores side by side, the price,
    quality and total scores, the rank and the committee's recommendation; the officer ranks
    the scored bids (evaluate) and another officer awards each lot, the recommendation unless a
    reason is given (and flagged to the auditors). Each read of the opened bids is logged."""

    permission = "procurement.award_tender"
    template_name = "procurement/office/award.html"

    @cached_property
    def tender(self) -> Tender:
        tender: Tender = _row(self.request, selectors.tender_list(), "award", self.kwargs["pk"])
        return tender

    def _lots(self) -> list[Lot]:
        return list(
            selectors.evaluation_of(tender=self.tender).select_related(
                "award__contract", "award__bid__supplier"
            )
        )

    def _form(self, lot: Lot, data: Any = None) -> AwardForm:
        bids: list[Bid] = lot.valid  # type: ignore[attr-defined]
        choices = [(str(bid.pk), bid.supplier.name) for bid in bids]
        initial = {"bid": str(lot.recommended_bid_id)} if lot.recommended_bid_id else None
        return AwardForm(data, choices=choices, initial=initial, prefix=f"lot{lot.pk}")

    def _context(
        self, request: HttpRequest, lots: list[Lot], forms_by_lot: dict[int, AwardForm]
    ) -> dict[str, Any]:
        tender = self.tender
        criteria = list(tender.criteria.all())
        seats = [seat for seat in tender.seats.all() if seat.conflict is False]
        rows = []
        for lot in lots:
            bids = []
            for bid in lot.valid:  # type: ignore[attr-defined]
                given = {(s.seat_id, s.criterion_id): s.score for s in bid.scores.all()}
                members = [(seat, [given.get((seat.pk, c.pk)) for c in criteria]) for seat in seats]
                bids.append((bid, members))
            rows.append((lot, bids, forms_by_lot.get(lot.pk)))
        opening.sealed_read_record(
            request=request,
            tender=tender,
            bids=[bid.public_id for lot in lots for bid in lot.valid],  # type: ignore[attr-defined]
            reserve_prices=[lot.pk for lot in lots if lot.reserve_price is not None],
            actor=signed_in(request),
        )
        return self.get_context_data(
            tender=tender,
            title=_("Award: %(tender)s") % {"tender": tender},
            criteria=criteria,
            lots=rows,
            can_evaluate=tender.status == Tender.Status.OPENED
            and has_perm(request.user, "procurement.evaluate_tender"),
        )

    def _forms(self, lots: list[Lot]) -> dict[int, AwardForm]:
        if self.tender.status != Tender.Status.EVALUATED:
            return {}
        return {
            lot.pk: self._form(lot)
            for lot in lots
            if lot.recommended_bid_id and not hasattr(lot, "award")
        }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.tender.status not in selectors.OPENED_STATUSES:
            return HttpResponseRedirect(reverse("procurement-office:tender", args=[self.tender.pk]))
        lots = self._lots()
        return self.render_to_response(self._context(request, lots, self._forms(lots)))

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lots = self._lots()
        lot = next((lot for lot in lots if str(lot.pk) == request.POST.get("lot")), None)
        if lot is None or self.tender.status not in selectors.OPENED_STATUSES:
            return self.render_to_response(
                self._context(request, lots, self._forms(lots)), status=400
            )
        form = self._form(lot, request.POST)
        if form.is_valid():
            chosen = next(
                b
                for b in lot.valid  # type: ignore[attr-defined]
                if str(b.pk) == form.cleaned_data["bid"]
            )
            award = run(
                form,
                lambda: evaluation.lot_award(
                    lot=lot,
                    bid=chosen,
                    reason=form.cleaned_data["reason"],
                    justification=form.cleaned_data["justification"],
                    actor=signed_in(request),
                ),
            )
            if award is not None:
                messages.success(
                    request,
                    _("Lot %(number)s is awarded to %(supplier)s; contract %(contract)s follows.")
                    % {
                        "number": lot.number,
                        "supplier": chosen.supplier.name,
                        "contract": award.contract.number,
                    },
                )
                return HttpResponseRedirect(
                    reverse("procurement-office:award", args=[self.tender.pk])
                )
        forms_by_lot = self._forms(lots) | {lot.pk: form}
        return self.render_to_response(self._context(request, lots, forms_by_lot), status=400)


class EvaluatePage(Page):
    """Rank the scored bids of every lot into the committee's recommendation."""

    permission = "procurement.evaluate_tender"
    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        tender = _row(request, Tender.objects.all(), "evaluate", kwargs["pk"])
        evaluation.tender_evaluate(tender=tender, actor=signed_in(request))
        messages.success(
            request, _("The bids are ranked. Another procurement officer awards the lots.")
        )
        return HttpResponseRedirect(reverse("procurement-office:award", args=[tender.pk]))


# Suppliers ---------------------------------------------------------------------------------------


class SupplierListPage(Page):
    permission = "procurement.view_supplier"
    title = gettext_lazy("Suppliers")
    nav = Nav(SECTION, gettext_lazy("Suppliers"), 42)
    template_name = "procurement/office/supplier_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        pending = Count(
            "qualifications", filter=Q(qualifications__status=Qualification.Status.PENDING)
        )
        context["suppliers"] = restrict(supply.supplier_list(), self.request.user, "view").annotate(
            pending=pending
        )
        return context


class SupplierPage(Page):
    """One supplier: its record and standing, its licences (with the acts of checking them),
    the events of its standing, its contracts."""

    permission = "procurement.view_supplier"
    template_name = "procurement/office/supplier.html"
    shows = Supplier

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        supplier: Supplier = _row(self.request, supply.supplier_list(), "view", kwargs["pk"])
        user = self.request.user
        context.update(
            supplier=supplier,
            title=supplier.name,
            qualifications=supply.qualification_list().filter(supplier=supplier),
            events=supply.supplier_event_list().filter(supplier=supplier)[:20],
            contracts=supplier.contracts.order_by("-valid_from"),
            can_verify=has_perm(user, "procurement.verify_qualification"),
            can_suspend=has_perm(user, "procurement.suspend_supplier"),
            suspended=supplier.status == Supplier.Status.SUSPENDED,
        )
        return context


class _SupplierStanding(FormPage):
    """Suspend or reinstate a supplier, with the reason."""

    permission = "procurement.suspend_supplier"
    template_name = "procurement/office/supplier_act.html"
    form_class: ClassVar[type[forms.Form]] = ReasonForm
    question: ClassVar[Any]
    button: ClassVar[Any]
    success: ClassVar[Any]

    @cached_property
    def supplier(self) -> Supplier:
        supplier: Supplier = _row(
            self.request, supply.supplier_list(), "suspend", self.kwargs["pk"]
        )
        return supplier

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(supplier=self.supplier, question=self.question, button=self.button)
        return context

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        done = run(form, lambda: self.change(form.cleaned_data["reason"]))
        if done is None:
            return None
        messages.success(self.request, self.success)
        return reverse("procurement-office:supplier", args=[self.supplier.pk])

    def change(self, reason: str) -> Supplier:
        raise NotImplementedError


class SupplierSuspendPage(_SupplierStanding):
    title = gettext_lazy("Suspend the supplier")
    question = gettext_lazy("Suspend this supplier from new tenders? Its contracts run on.")
    button = gettext_lazy("Suspend")
    success = gettext_lazy("The supplier is suspended from new tenders.")

    def change(self, reason: str) -> Supplier:
        return suppliers.supplier_suspend(
            supplier=self.supplier, reason=reason, actor=signed_in(self.request)
        )


class SupplierReinstatePage(_SupplierStanding):
    title = gettext_lazy("Reinstate the supplier")
    question = gettext_lazy("Lift this supplier's suspension?")
    button = gettext_lazy("Reinstate")
    success = gettext_lazy("The supplier is reinstated.")

    def change(self, reason: str) -> Supplier:
        return suppliers.supplier_reinstate(
            supplier=self.supplier, reason=reason, actor=signed_in(self.request)
        )


class QualificationListPage(Page):
    """Licences waiting to be checked against their documents: until then they count for no
    tender."""

    permission = "procurement.view_qualification"
    title = gettext_lazy("Licences to verify")
    nav = Nav(SECTION, gettext_lazy("Licences to verify"), 43)
    template_name = "procurement/office/qualification_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = restrict(supply.qualification_list(), self.request.user, "view")
        context.update(
            qualifications=rows.filter(status=Qualification.Status.PENDING).order_by(
                "created_at", "id"
            ),
            can_verify=has_perm(self.request.user, "procurement.verify_qualification"),
        )
        return context


class QualificationScanPage(Page):
    """The scan a supplier sent with its licence: the document the officer checks it against."""

    permission = "procurement.view_qualification"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return scan_response(_row(request, supply.qualification_list(), "view", kwargs["pk"]))


class QualificationVerifyPage(Page):
    """The licence matches its document: from now on it counts while in force."""

    permission = "procurement.verify_qualification"
    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        qualification: Qualification = _row(
            request, supply.qualification_list(), "verify", kwargs["pk"]
        )
        suppliers.qualification_verify(qualification=qualification, actor=signed_in(request))
        messages.success(
            request,
            _("%(kind)s No. %(number)s is verified.")
            % {"kind": qualification.get_kind_display(), "number": qualification.number},
        )
        return HttpResponseRedirect(
            request.POST.get("next") or reverse("procurement-office:qualifications")
        )


class QualificationRejectPage(FormPage):
    """The licence does not match its document: it does not count, and the supplier reads why."""

    permission = "procurement.verify_qualification"
    title = gettext_lazy("Reject the licence")
    template_name = "procurement/office/qualification_reject.html"
    form_class = ReasonForm

    @cached_property
    def qualification(self) -> Qualification:
        qualification: Qualification = _row(
            self.request, supply.qualification_list(), "verify", self.kwargs["pk"]
        )
        return qualification

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["qualification"] = self.qualification
        return context

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        rejected = run(
            form,
            lambda: suppliers.qualification_reject(
                qualification=self.qualification,
                reason=form.cleaned_data["reason"],
                actor=signed_in(self.request),
            ),
        )
        if rejected is None:
            return None
        messages.success(self.request, _("The licence is rejected; the supplier reads why."))
        return reverse("procurement-office:supplier", args=[rejected.supplier_id])


class ContractListPage(Page):
    """Framework contracts in force today, each with its price list."""

    permission = "procurement.view_frameworkcontract"
    title = gettext_lazy("Framework contracts in force")
    nav = Nav(SECTION, gettext_lazy("Framework contracts"), 44)
    template_name = "procurement/office/contract_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contracts = supply.contract_list(in_force_on=timezone.localdate())
        context["contracts"] = restrict(contracts, self.request.user, "view")
        return context


# Home panel --------------------------------------------------------------------------------------


def home_panel(request: HttpRequest) -> Panel | None:
    """For the procurement officer: requisitions waiting, drafts to publish, tenders to award,
    licences to verify."""
    user = request.user
    if not has_perm(user, "procurement.add_tender"):
        return None
    waiting = selectors.requisition_lines_waiting().across_schools()
    tenders = reverse("procurement-office:tenders")
    return Panel(
        _("Procurement"),
        [
            Waiting(
                _("Requisitions waiting"),
                waiting.values("requisition_id").distinct().count(),
                reverse("procurement-office:requisitions"),
            ),
            Waiting(
                _("Drafts to publish"),
                Tender.objects.filter(status=Tender.Status.DRAFT).count(),
                tenders,
            ),
            Waiting(
                _("Tenders to award"),
                Tender.objects.filter(status=Tender.Status.EVALUATED).count(),
                tenders,
            ),
            Waiting(
                _("Licences to verify"),
                Qualification.objects.filter(status=Qualification.Status.PENDING).count(),
                reverse("procurement-office:qualifications"),
            ),
        ],
    )
