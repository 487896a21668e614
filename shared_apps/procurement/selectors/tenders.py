"""Reads about requisitions, evaluators, tenders, committee seats and bids. Nothing here reads a
sealed column: before the opening there is nothing readable to read. Nor does anything here tell
anyone but a bidder itself, before the opening, who bid, how many did or when (招标投标法 art.
22): bids of a tender not yet opened are the bidder's own business."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, When
from django.utils import timezone

from houqin.permissions import AnyUser
from houqin.tenancy import SchoolOwnedQuerySet
from shared_apps.accounts.models import User
from shared_apps.procurement.models import (
    Bid,
    BidLine,
    CommitteeSeat,
    ContractPrice,
    Criterion,
    Evaluator,
    FrameworkContract,
    Lot,
    Requisition,
    RequisitionLine,
    Score,
    SupplierUser,
    Tender,
    TenderEvent,
    TenderLine,
    TenderLineSource,
)

# Tenders suppliers may read: published, whatever happened since, unless cancelled as a draft.
NOTICE_STATUSES = [s for s in Tender.Status if s != Tender.Status.DRAFT]
# Bids whose contents exist in plaintext (opened), among those the opening saw.
OPENED_STATUSES = [Tender.Status.OPENED, Tender.Status.EVALUATED, Tender.Status.AWARDED]


def requisition_list(*, approved_only: bool = False) -> SchoolOwnedQuerySet[Requisition]:
    """Requisitions with their lines, the approved ones only when asked. They belong to schools
    (houqin.tenancy): the caller says whose it reads."""
    qs = Requisition.objects.select_related("school", "raised_by", "decided_by").prefetch_related(
        Prefetch("lines", queryset=RequisitionLine.objects.select_related("item"))
    )
    if approved_only:
        qs = qs.filter(status=Requisition.Status.APPROVED)
    return qs


@dataclass(frozen=True)
class LineProgress:
    """Where one requisition line stands after its approval: the tender it was aggregated into
    (None while it waits), and once its lot is awarded the framework contract and its price."""

    line: RequisitionLine
    tender: Tender | None
    contract: FrameworkContract | None
    unit_price: Decimal | None


def requisition_progress(requisition: Requisition) -> list[LineProgress]:
    """Each line of `requisition` with the live tender it is in and the contract that followed
    (two queries: the lines with their tendering, the contracts' prices of their items). Names
    no bid, count of bids or price before the award."""
    lines = list(
        requisition.lines.select_related("item").prefetch_related(
            Prefetch(
                "tenderings",
                queryset=TenderLineSource.objects.filter(released=False).select_related(
                    "tender_line__lot__tender", "tender_line__lot__award__contract__supplier"
                ),
                to_attr="live",
            )
        )
    )
    tendered = {line.pk: line.live[0].tender_line.lot for line in lines if line.live}
    contracts = {pk: lot.award.contract for pk, lot in tendered.items() if hasattr(lot, "award")}
    prices = (
        {
            (price.contract_id, price.item_id): price.unit_price
            for price in ContractPrice.objects.filter(
                contract__in={contract.pk for contract in contracts.values()},
                item__in={line.item_id for line in lines},
            )
        }
        if contracts
        else {}
    )
    return [
        LineProgress(
            line=line,
            tender=tendered[line.pk].tender if line.pk in tendered else None,
            contract=contracts.get(line.pk),
            unit_price=prices.get((contracts[line.pk].pk, line.item_id))
            if line.pk in contracts
            else None,
        )
        for line in lines
    ]


def requisition_lines_waiting() -> SchoolOwnedQuerySet[RequisitionLine]:
    """Lines of approved requisitions that no live tender aggregates yet (a cancelled tender's
    are waiting again), with their item and school, by category. They belong to schools: the
    caller says whose it reads."""
    return (
        RequisitionLine.objects.filter(requisition__status=Requisition.Status.APPROVED)
        .exclude(tenderings__released=False)
        .select_related("item", "requisition__school")
        .order_by("item__category", "requisition__school__code", "requisition_id", "id")
    )


def evaluator_pool() -> QuerySet[Evaluator]:
    """Evaluators who may sit on a committee now: in the pool, with a registered sealing key."""
    return Evaluator.objects.filter(active=True, public_key__isnull=False).order_by("name", "id")


def evaluator_list() -> QuerySet[Evaluator]:
    return Evaluator.objects.select_related("user")


def tender_list() -> QuerySet[Tender]:
    """Tenders with their lots and lines, criteria, committee and events. A lot's count of bids
    is None until the tender is opened."""
    counted = Count("bids", filter=~Q(bids__status=Bid.Status.WITHDRAWN))
    # Ordered explicitly: a query with an aggregate does not take the model's default ordering.
    lots = (
        Lot.objects.annotate(
            bid_count=Case(
                When(tender__opened_at__isnull=False, then=counted),
                default=None,
                output_field=IntegerField(),
            )
        )
        .order_by("tender_id", "number")
        .prefetch_related(Prefetch("lines", queryset=TenderLine.objects.select_related("item")))
    )
    return Tender.objects.select_related("created_by").prefetch_related(
        Prefetch("lots", queryset=lots),
        Prefetch("criteria", queryset=Criterion.objects.all()),
        Prefetch("seats", queryset=CommitteeSeat.objects.select_related("evaluator")),
        Prefetch(
            "events",
            queryset=TenderEvent.objects.select_related("actor").annotate(
                bid_public_id=F("bid__public_id")
            ),
        ),
    )


def notice_list() -> QuerySet[Tender]:
    """Published tenders as suppliers read them (their lots, lines and criteria)."""
    return Tender.objects.filter(
        status__in=NOTICE_STATUSES, published_at__isnull=False
    ).prefetch_related(
        Prefetch(
            "lots",
            queryset=Lot.objects.prefetch_related(
                Prefetch("lines", queryset=TenderLine.objects.select_related("item"))
            ),
        ),
        "criteria",
    )


def seat_list() -> QuerySet[CommitteeSeat]:
    return CommitteeSeat.objects.select_related("tender", "evaluator")


def member_seat_list(*, member: User) -> QuerySet[CommitteeSeat]:
    """The seats `member` holds, with their tender, its committee's size and how many shares
    its members have presented (the opening leaves that count as it was)."""
    return (
        CommitteeSeat.objects.filter(evaluator__user=member)
        .select_related("tender", "evaluator")
        .annotate(
            members=Count("tender__seats"),
            presented=Count("tender__seats", filter=Q(tender__seats__presented_at__isnull=False)),
        )
        .order_by("-tender__deadline", "-pk")
    )


def score_sheet(*, seat: CommitteeSeat) -> QuerySet[Lot]:
    """The lots of the seat's tender, once opened, with their valid bids (lines and totals) and
    the seat's own scores of them: what a member scores side by side."""
    bids = (
        Bid.objects.filter(status=Bid.Status.VALID, lot__tender__status__in=OPENED_STATUSES)
        .select_related("supplier")
        .defer("sealed")
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.filter(seat=seat), to_attr="mine"),
        )
        .order_by("total", "pk")
    )
    return (
        Lot.objects.filter(tender_id=seat.tender_id)
        .order_by("number")
        .prefetch_related(Prefetch("bids", queryset=bids, to_attr="valid"))
    )


def bid_list(*, viewer: AnyUser) -> QuerySet[Bid]:
    """Bids' metadata (lot, supplier, status, time) that `viewer` may know exist: those of opened
    tenders, and their own company's at any stage. Whatever the viewer's role, the bids of a
    tender not yet opened are nobody else's to list, count or order."""
    accounts = (
        SupplierUser.objects.filter(user_id=viewer.pk) if viewer.pk else SupplierUser.objects.none()
    )
    own = accounts.values("supplier_id")
    return (
        Bid.objects.filter(Q(lot__tender__opened_at__isnull=False) | Q(supplier_id__in=own))
        .select_related("lot__tender", "supplier")
        .defer("sealed", "delivery_terms", "quality_statement")
    )


def unopened_bid_list() -> QuerySet[Bid]:
    """Bids of tenders not yet opened, whatever their status: the ones whose existence is their
    bidder's business alone. The audit trail keeps their rows sealed until then (registered in
    ProcurementConfig.ready)."""
    return Bid.objects.filter(lot__tender__opened_at__isnull=True)


def bid_ids(*, tender: Tender, public_ids: set[UUID]) -> dict[UUID, int]:
    """The ids of the tender's bids named by their public ids (those it has)."""
    return dict(
        Bid.objects.filter(lot__tender=tender, public_id__in=public_ids).values_list(
            "public_id", "pk"
        )
    )


def opened_bids(*, tender: Tender) -> QuerySet[Lot]:
    """The tender's lots with their opened bids and the bids' lines (empty before opening)."""
    bids = (
        Bid.objects.filter(lot__tender=tender, lot__tender__status__in=OPENED_STATUSES)
        .exclude(status__in=[Bid.Status.WITHDRAWN, Bid.Status.SEALED])
        .select_related("supplier")
        .defer("sealed")
        .prefetch_related(Prefetch("lines", queryset=BidLine.objects.select_related("line__item")))
        .order_by("rank", "pk")
    )
    return tender.lots.prefetch_related(Prefetch("bids", queryset=bids, to_attr="opened"))


def evaluation_of(*, tender: Tender) -> QuerySet[Lot]:
    """The tender's lots with their valid bids and every member's scores of them."""
    bids = (
        Bid.objects.filter(status=Bid.Status.VALID, lot__tender__status__in=OPENED_STATUSES)
        .select_related("supplier")
        .defer("sealed")
        .prefetch_related(
            Prefetch(
                "scores", queryset=Score.objects.select_related("seat__evaluator", "criterion")
            )
        )
        .order_by("rank", "pk")
    )
    return tender.lots.select_related("recommended_bid").prefetch_related(
        Prefetch("bids", queryset=bids, to_attr="valid")
    )


def deadline_passed(tender: Tender) -> bool:
    return tender.deadline is not None and timezone.now() >= tender.deadline


def notice_lot(*, notices: QuerySet[Tender], pk: int) -> Lot | None:
    """Lot `pk` of one of `notices` (restricted by the caller), with its tender and its lines."""
    return (
        Lot.objects.filter(pk=pk, tender__in=notices)
        .select_related("tender")
        .prefetch_related(Prefetch("lines", queryset=TenderLine.objects.select_related("item")))
        .first()
    )


def own_bid_list(*, viewer: AnyUser) -> QuerySet[Bid]:
    """The bids of the viewer's own company, at any stage, with their lot, tender and award:
    what its portal shows (never another's, nor how many others there are)."""
    if viewer.pk is None:
        return Bid.objects.none()
    return (
        Bid.objects.filter(supplier__users__user_id=viewer.pk)
        .select_related("lot__tender", "supplier", "award__contract")
        .defer("sealed")
        .order_by("-submitted_at", "-pk")
    )


def price_scores(bids: list[Bid], price_weight: int) -> dict[int, Decimal]:
    """Each opened bid's price score among the valid bids of its lot: the price weight x the
    lowest total / its total, to two places."""
    totals = [bid.total for bid in bids if bid.total is not None]
    if not totals:
        return {}
    lowest = min(totals)
    return {
        bid.pk: (price_weight * lowest / bid.total).quantize(Decimal("0.01"))
        for bid in bids
        if bid.total is not None
    }
