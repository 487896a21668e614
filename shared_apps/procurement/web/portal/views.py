"""The supplier portal on the district host, for a supplier's own accounts: its company's record
and standing, its licences (each sent with its scan, counting once the officer has verified it,
with a warning before it expires), the published notices it may bid on, a bid per lot (the
total worked out as prices are typed, and again by the service), the signed receipt of what was
sealed, withdrawing before the deadline, its own results once a tender is awarded, its framework
contracts, the schools' orders to deliver and its monthly ratings.

A supplier sees its own company's rows only (`restrict` with the models' `owner_field`), and
nothing about other bidders: not who they are, nor how many bid. Another company's bid, contract
or licence is not found here, as it is nowhere else."""

from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.permissions import restrict, roles_of
from houqin.roles import Role
from houqin.tenancy import SchoolScope
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.models import Bid, Lot, Qualification, Supplier, Tender
from shared_apps.procurement.selectors import suppliers as supply
from shared_apps.procurement.selectors import tenders
from shared_apps.procurement.services import bids, suppliers
from shared_apps.procurement.tender_keys import bid_receipt
from shared_apps.procurement.web.portal.forms import BidForm, QualificationForm, typed_prices
from shared_apps.procurement.web.scans import scan_response

SECTION = gettext_lazy("Supplier portal")


class PortalPage(Page):
    """A page of the portal: for supplier accounts only (the officer keeps suppliers on pages
    of its own)."""

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        return Role.SUPPLIER in roles_of(request.user)

    @cached_property
    def company(self) -> Supplier | None:
        """The caller's company, through the choke point (None for an account without one)."""
        return restrict(supply.supplier_list(), self.request.user, "view").first()


def _notices(request: HttpRequest) -> QuerySet[Tender]:
    return restrict(tenders.notice_list(), request.user, "browse")


def _own_bids(request: HttpRequest) -> QuerySet[Bid]:
    return restrict(tenders.own_bid_list(viewer=request.user), request.user, "view")


def _expiring_soon() -> Any:
    return timezone.localdate() + timedelta(days=settings.PROCUREMENT_QUALIFICATION_NOTICE_DAYS)


def portal_panel(request: HttpRequest) -> Panel | None:
    """The home page's panel for a supplier account: the notices open for bids, and its
    licences awaiting verification or expiring soon."""
    if Role.SUPPLIER not in roles_of(request.user):
        return None
    licences = restrict(supply.qualification_list(), request.user, "view")
    today = timezone.localdate()
    qualifications = reverse("supplier:qualifications")
    return Panel(
        _("Supplier portal"),
        [
            Waiting(
                _("Notices open for bids"),
                _notices(request)
                .filter(status=Tender.Status.PUBLISHED, deadline__gt=timezone.now())
                .count(),
                reverse("supplier:notices"),
            ),
            Waiting(
                _("Licences awaiting verification"),
                licences.filter(status=Qualification.Status.PENDING).count(),
                qualifications,
            ),
            Waiting(
                _("Licences expiring soon"),
                licences.filter(expires_on__gte=today, expires_on__lte=_expiring_soon()).count(),
                qualifications,
                warn=True,
            ),
        ],
    )


# The company -------------------------------------------------------------------------------------


class ProfilePage(PortalPage):
    """The company as the district registered it, its standing and what changed it."""

    title = gettext_lazy("Company profile")
    nav = Nav(SECTION, gettext_lazy("Company profile"), 10)
    template_name = "procurement/portal/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        events = restrict(supply.supplier_event_list(), self.request.user, "view")[:20]
        return super().get_context_data(company=self.company, events=events, **kwargs)


class QualificationsPage(PortalPage, FormPage):
    """The company's licences with their status and expiry, and sending a new one with its
    scan: it counts for tenders once the officer has verified it against the scan."""

    title = gettext_lazy("Licences")
    nav = Nav(SECTION, gettext_lazy("Licences"), 20)
    template_name = "procurement/portal/qualifications.html"
    form_class = QualificationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        return super().get_context_data(
            company=self.company,
            qualifications=restrict(supply.qualification_list(), self.request.user, "view"),
            today=today,
            soon=_expiring_soon(),
            **kwargs,
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: Any) -> str | None:
        company = self.company
        if company is None:
            form.add_error(None, _("This account is not tied to a company."))
            return None
        added = run(
            form,
            lambda: suppliers.qualification_add(
                supplier=company,
                kind=form.cleaned_data["kind"],
                number=form.cleaned_data["number"],
                issued_by=form.cleaned_data["issued_by"],
                valid_from=form.cleaned_data["valid_from"],
                expires_on=form.cleaned_data["expires_on"],
                scan=form.cleaned_data["scan"],
                actor=signed_in(self.request),
            ),
        )
        if added is None:
            return None
        messages.success(self.request, _("Licence sent: it counts once the office verifies it."))
        return reverse("supplier:qualifications")


class QualificationScanPage(PortalPage):
    """The scan of one of the company's licences, as kept (a clean JPEG)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        licence = get_object_or_404(
            restrict(supply.qualification_list(), request.user, "view"), pk=kwargs["pk"]
        )
        return scan_response(licence)


# Notices and bids --------------------------------------------------------------------------------


class NoticesPage(PortalPage):
    """The published notices: open ones first (those it may still bid on), then the others."""

    title = gettext_lazy("Tender notices")
    nav = Nav(SECTION, gettext_lazy("Tender notices"), 30)
    template_name = "procurement/portal/notices.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        notices = list(_notices(self.request).order_by("-published_at", "-pk")[:100])
        now = timezone.now()
        is_open = [
            n
            for n in notices
            if n.status == Tender.Status.PUBLISHED and n.deadline and n.deadline > now
        ]
        return super().get_context_data(
            open_notices=is_open, past=[n for n in notices if n not in is_open], **kwargs
        )


class NoticePage(PortalPage):
    """One notice: its lots with their lines and ceilings, its criteria and deadline, the tender
    key's fingerprint the district signed, and the company's own bid on each lot."""

    template_name = "procurement/portal/notice.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        tender = get_object_or_404(_notices(self.request), pk=kwargs["pk"])
        own = {bid.lot_id: bid for bid in _own_bids(self.request).filter(lot__tender=tender)}
        lots = [(lot, own.get(lot.pk)) for lot in tender.lots.all()]
        return super().get_context_data(
            tender=tender,
            lots=lots,
            title=tender.title,
            open_for_bids=tender.status == Tender.Status.PUBLISHED
            and not tenders.deadline_passed(tender),
            **kwargs,
        )


class LotMixin(PortalPage):
    @cached_property
    def lot(self) -> Lot:
        lot = tenders.notice_lot(notices=_notices(self.request), pk=self.kwargs["pk"])
        if lot is None:
            raise Http404
        return lot


def _totals(lot: Lot, prices: dict[int, Decimal]) -> dict[str, Any]:
    """The running total of a bid being typed, worked out as the service works it out."""
    contents = bids.BidContents(unit_prices=prices, delivery_terms="", quality_statement="")
    amounts = contents.amounts({line.pk: line.quantity for line in lot.lines.all()})
    total = sum(amounts.values(), Decimal(0))
    return {
        "amounts": [(line, amounts.get(line.pk)) for line in lot.lines.all()],
        "total": total,
        "complete": len(amounts) == len(lot.lines.all()),
        "above_ceiling": lot.ceiling is not None and total > lot.ceiling,
        "lot": lot,
    }


class BidPage(LotMixin, FormPage):
    """The bid form for one lot: a unit price per line, with each line's amount and the total
    worked out as they are typed; submitting seals it (replacing the company's earlier bid for
    the lot) and shows its receipt."""

    template_name = "procurement/portal/bid.html"
    form_class = BidForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"lot": self.lot}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.get("form")
        typed = form.data if form is not None and form.is_bound else {}
        tender = self.lot.tender
        return super().get_context_data(
            tender=tender,
            title=_("Bid for lot %(number)s") % {"number": self.lot.number},
            open_for_bids=tender.status == Tender.Status.PUBLISHED
            and not tenders.deadline_passed(tender),
            **_totals(self.lot, typed_prices(typed, self.lot)),
            **kwargs,
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: Any) -> str | None:
        bid = run(
            form,
            lambda: bids.bid_submit(
                lot=self.lot,
                contents=bids.BidContents(
                    unit_prices=form.unit_prices(),
                    delivery_terms=form.cleaned_data["delivery_terms"],
                    quality_statement=form.cleaned_data["quality_statement"],
                ),
                key_fingerprint=form.cleaned_data["key_fingerprint"],
                actor=signed_in(self.request),
            ),
        )
        if bid is None:
            return None
        messages.success(self.request, _("Your bid is sealed. Keep its receipt."))
        return reverse("supplier:receipt", kwargs={"pk": bid.public_id})


class BidTotalPage(LotMixin):
    """The running total of the bid form as it is typed (htmx): each line's amount, the total,
    and whether it is above the lot's ceiling."""

    template_name = "procurement/portal/includes/bid_total.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **_totals(self.lot, typed_prices(self.request.GET, self.lot)), **kwargs
        )


class BidsPage(PortalPage):
    """The company's bids: sealed, withdrawn, or opened with its own result (never anyone
    else's, nor how many there were)."""

    title = gettext_lazy("My bids")
    nav = Nav(SECTION, gettext_lazy("My bids and results"), 40)
    template_name = "procurement/portal/bids.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(bids=list(_own_bids(self.request)[:200]), **kwargs)


class ReceiptPage(PortalPage):
    """A bid's receipt: what the district received and signed (the fingerprint of the sealed
    bytes, the key they were sealed to, when), to be kept; and withdrawing it before the
    deadline."""

    template_name = "procurement/portal/receipt.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        bid = _own_bid(self.request, kwargs["pk"])
        return super().get_context_data(
            bid=bid,
            receipt=bid_receipt(bid),
            title=_("Receipt of a sealed bid"),
            may_withdraw=bid.status == Bid.Status.SEALED
            and bid.lot.tender.status == Tender.Status.PUBLISHED
            and not tenders.deadline_passed(bid.lot.tender),
            **kwargs,
        )


def _own_bid(request: HttpRequest, public_id: UUID) -> Bid:
    return get_object_or_404(_own_bids(request), public_id=public_id)


class WithdrawPage(PortalPage):
    """Withdraw the company's bid before the deadline: its sealed contents are erased."""

    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        bid = _own_bid(request, kwargs["pk"])
        bids.bid_withdraw(bid=bid, actor=signed_in(request))
        messages.success(request, _("Your bid is withdrawn; its sealed contents are erased."))
        return HttpResponseRedirect(reverse("supplier:notice", kwargs={"pk": bid.lot.tender_id}))


# After the award ---------------------------------------------------------------------------------


class ContractsPage(PortalPage):
    title = gettext_lazy("Framework contracts")
    nav = Nav(SECTION, gettext_lazy("Framework contracts"), 50)
    template_name = "procurement/portal/contracts.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contracts = restrict(supply.contract_list(), self.request.user, "view")
        return super().get_context_data(
            contracts=contracts[:200], today=timezone.localdate(), **kwargs
        )


class ContractPage(PortalPage):
    """One of the company's framework contracts with its price list."""

    template_name = "procurement/portal/contract.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contract = get_object_or_404(
            restrict(supply.contract_list(), self.request.user, "view"), pk=kwargs["pk"]
        )
        return super().get_context_data(contract=contract, title=contract.number, **kwargs)


class OrdersPage(PortalPage):
    """The schools' orders placed with the company, newest first, line by line: what to
    deliver, by when, and what was delivered."""

    title = gettext_lazy("Orders to deliver")
    nav = Nav(SECTION, gettext_lazy("Orders to deliver"), 60)
    template_name = "procurement/portal/orders.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        company = self.company
        orders: list[dict[str, Any]] = []
        if company is not None:
            here = SchoolScope.here()
            rows = list(supply.supplier_order_list(supplier_id=company.pk, scope=here)[:50])
            keys = [(row["school_id"], row["order_number"]) for row in rows]
            lines = supply.supplier_order_lines(supplier_id=company.pk, orders=keys, scope=here)
            orders = [{**row, "lines": lines[key]} for row, key in zip(rows, keys, strict=True)]
        return super().get_context_data(orders=orders, **kwargs)


class RatingsPage(PortalPage):
    """The schools' monthly ratings of the company."""

    title = gettext_lazy("Monthly ratings")
    nav = Nav(SECTION, gettext_lazy("Monthly ratings"), 70)
    template_name = "procurement/portal/ratings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        company = self.company
        ratings = supply.rating_list().here().filter(supplier=company)[:120] if company else []
        return super().get_context_data(ratings=ratings, **kwargs)
