"""The auditors' procurement pages (and the buying office's, which reads them too), on the
district host: the signals of every registered rule, each case linked to the tender it is about
(its bids once opened, its committee, its awards) or naming the school's order; one tender as
the auditors read it; the district's spend views with their charts (server-drawn bars: no
script, no CDN) and the Excel workbook of the API's spend view."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from houqin.permissions import restrict
from houqin.tenancy import SchoolScope
from houqin.web.pages import Nav, Page, run
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.selectors import spend
from shared_apps.procurement.selectors import tenders as selectors
from shared_apps.procurement.services import opening
from shared_apps.procurement.signals import RULES, Signal, signals
from shared_apps.procurement.web.oversight.forms import SpendForm
from tenants.models import School

SECTION = gettext_lazy("Audit")
# What each registered rule looks for, as the auditors read it.
RULE_TITLES = {
    "single_bid": gettext_lazy("Lots with a single valid bid"),
    "few_valid_bids": gettext_lazy("Lots with fewer than three valid bids"),
    "bids_under_ceiling": gettext_lazy("Bids clustered just under the ceiling"),
    "bids_under_reserve": gettext_lazy("Bids just under the sealed reserve price"),
    "bidders_share_contact": gettext_lazy("Bidders sharing a contact"),
    "evaluator_shares_contact": gettext_lazy("Committee members sharing a contact with a bidder"),
    "award_departs_from_recommendation": gettext_lazy(
        "Awards departing from the committee's recommendation"
    ),
    "order_outside_contract": gettext_lazy("Orders outside framework contracts"),
    "price_above_reference": gettext_lazy("Prices above the market reference"),
}


@dataclass(frozen=True)
class Case:
    """One signal as the page shows it: what it says, where it leads, and its particulars."""

    signal: Signal
    tender_path: str
    school: str
    facts: list[tuple[str, str]]


# The particulars a signal carries, by the names people read.
DETAIL_LABELS = {
    "number": gettext_lazy("Tender"),
    "lot": gettext_lazy("Lot"),
    "valid_bids": gettext_lazy("Valid bids"),
    "bids": gettext_lazy("Bids"),
    "suppliers": gettext_lazy("Suppliers"),
    "names": gettext_lazy("Suppliers"),
    "contact": gettext_lazy("Shared contact"),
    "contacts": gettext_lazy("Shared contacts"),
    "evaluator": gettext_lazy("Committee member"),
    "supplier": gettext_lazy("Supplier"),
    "reason": gettext_lazy("Reason"),
    "order_number": gettext_lazy("Order"),
    "description": gettext_lazy("Item"),
    "amount": gettext_lazy("Amount (CNY)"),
    "contract": gettext_lazy("Contract"),
    "item": gettext_lazy("Item"),
    "unit_price": gettext_lazy("Unit price (CNY)"),
    "reference_price": gettext_lazy("Reference price (CNY)"),
    "above_pct": gettext_lazy("Above the reference (%)"),
}
CONTACT_KINDS = {
    "phone": gettext_lazy("phone"),
    "email": gettext_lazy("email"),
    "address": gettext_lazy("address"),
}


def _shown(value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    return "、".join(str(CONTACT_KINDS.get(v, v)) if isinstance(v, str) else str(v) for v in values)


def _facts(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """A signal's particulars, labelled; the tender is the case's link, and the suppliers' ids
    are left out where their names are given."""
    left_out = {"tender", "suppliers"} if "names" in detail else {"tender"}
    return [
        (str(DETAIL_LABELS.get(key, key)), _shown(value))
        for key, value in detail.items()
        if key not in left_out
    ]


class SignalsPage(Page):
    """Every registered rule with its cases."""

    permission = "procurement.view_signals_tender"
    title = gettext_lazy("Procurement signals")
    nav = Nav(SECTION, gettext_lazy("Procurement signals"), 60)
    template_name = "procurement/oversight/signals.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found: dict[str, list[Signal]] = defaultdict(list)
        for signal in signals():
            found[signal.rule].append(signal)
        schools = dict(School.objects.values_list("pk", "name"))
        rules = [
            (
                code,
                RULE_TITLES.get(code, code),
                [
                    Case(
                        signal,
                        _tender_path(signal),
                        schools.get(signal.school_id, "") if signal.school_id else "",
                        _facts(signal.detail),
                    )
                    for signal in found[code]
                ],
            )
            for code in sorted(RULES)
        ]
        return super().get_context_data(rules=rules, **kwargs)


def _tender_path(signal: Signal) -> str:
    tender = signal.subject_id if signal.subject == "tender" else signal.detail.get("tender")
    return reverse("procurement-review:tender", args=[tender]) if tender else ""


class TenderPage(Page):
    """One tender as the auditors read it: its settings, committee, timeline and, once opened,
    its reserve prices and bids with their scores, ranks and awards. Each read of what was sealed
    is logged, as the API's are."""

    permission = "procurement.view_signals_tender"
    template_name = "procurement/oversight/tender.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        tender = get_object_or_404(
            restrict(selectors.tender_list(), self.request.user, "view"), pk=self.kwargs["pk"]
        )
        opened = tender.status in selectors.OPENED_STATUSES
        lots = (
            list(selectors.opened_bids(tender=tender).select_related("award__bid"))
            if opened
            else []
        )
        if opened:
            opening.sealed_read_record(
                request=self.request,
                tender=tender,
                bids=[bid.public_id for lot in lots for bid in lot.opened],  # type: ignore[attr-defined]
                reserve_prices=[lot.pk for lot in lots if lot.reserve_price is not None],
                actor=signed_in(self.request),
            )
        return super().get_context_data(
            title=f"{tender.number} {tender.title}",
            tender=tender,
            opened=opened,
            opened_lots=lots,
            **kwargs,
        )


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, the figure shown, and its length in % of the longest."""

    label: str
    shown: Decimal | int | None
    length: Decimal
    warn: bool = False


def bars(
    rows: list[tuple[str, Decimal | int | None]], *, scale: Decimal | None = None
) -> list[Bar]:
    """Bars for (label, figure) rows, the longest the largest figure's (or `scale`'s); a
    negative figure's bar is as long as its size, and marked."""
    sizes = [abs(Decimal(value)) for _label, value in rows if value is not None]
    top = scale or max(sizes, default=Decimal(0))
    return [
        Bar(
            label,
            value,
            (abs(Decimal(value)) * 100 / top).quantize(Decimal("0.1"))
            if value and top
            else Decimal(0),
            warn=value is not None and value < 0,
        )
        for label, value in rows
    ]


class SpendPage(Page):
    """The district's spend over a month or a period: totals, by school, category and supplier
    (amounts, savings against the market reference, on-time rates), the orders outside
    contracts, with charts, and the same figures as an Excel workbook."""

    permission = "procurement.view_spendline"
    title = gettext_lazy("Spend")
    nav = Nav(SECTION, gettext_lazy("Spend"), 70)
    template_name = "procurement/oversight/spend.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = SpendForm(self.request.GET)
        context = super().get_context_data(form=form, **kwargs)
        period = (
            run(form, lambda: spend.spend_period(**form.cleaned_data)) if form.is_valid() else None
        )
        if period is None:
            return context
        date_from, date_to = period
        summary = spend.spend_summary(
            date_from=date_from, date_to=date_to, scope=SchoolScope.here()
        )
        hundred = Decimal(100)
        query = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
        context.update(
            summary=summary,
            by_school=bars([(g.name, g.figures.amount) for g in summary.by_school]),
            by_category=bars([(g.name, g.figures.amount) for g in summary.by_category]),
            by_supplier=bars([(g.name, g.figures.amount) for g in summary.by_supplier]),
            savings=bars([(g.name, g.figures.savings_pct) for g in summary.by_category]),
            on_time=bars(
                [(g.name, g.figures.on_time_rate) for g in summary.by_supplier], scale=hundred
            ),
            xlsx=f"{reverse('procurement-spend-summary')}?{urlencode({**query, 'format': 'xlsx'})}",
        )
        return context
