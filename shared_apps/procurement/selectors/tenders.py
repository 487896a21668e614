"""Reads about requisitions, evaluators, tenders, committee seats and bids. Nothing here reads a
sealed column: before the opening there is nothing readable to read. Nor does anything here tell
anyone but a bidder itself, before the opening, who bid, how many did or when (招标投标法 art.
22): bids of a tender not yet opened are the bidder's own business."""

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
    Criterion,
    Evaluator,
    Lot,
    Requisition,
    RequisitionLine,
    Score,
    SupplierUser,
    Tender,
    TenderEvent,
    TenderLine,
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
