"""Evaluation (评标) and award (中标) of an opened tender.

Each committee member who declared no conflict of interest scores each valid bid on each quality
criterion, and signs their sheet once it is whole: signed scores are final. A bid's price score
is the price weight x the lot's lowest valid total / its total; its quality score is the mean
over the scoring members of the criteria's weighted scores; both to two places, and its score
their sum. Bids are ranked by score, then by the higher quality
score, then by the lower total, then by the earlier submission; the top one is the committee's
recommendation. A procurement officer other than the one who evaluated (houqin.duties) awards
each lot: another bid than the recommendation needs a reason (and is flagged to auditors), a lot
with a single valid bid a justification, and the winner must still hold its verified licences on
the day. The award makes a framework contract whose prices are the winning bid's unit prices.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.duties import AWARD, ensure_separate
from houqin.exceptions import Conflict, InvalidInput, NotPermitted
from houqin.months import add_months
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.procurement.models import (
    Award,
    Bid,
    CommitteeSeat,
    ContractPrice,
    Criterion,
    FrameworkContract,
    Lot,
    Score,
    Supplier,
    Tender,
    TenderEvent,
)
from shared_apps.procurement.selectors.suppliers import eligibility_problem
from shared_apps.procurement.selectors.tenders import price_scores
from shared_apps.procurement.services._tenders import locked_tender, tender_event

CENT = Decimal("0.01")


@dataclass(frozen=True)
class GivenScore:
    bid_id: int
    criterion_id: int
    score: Decimal


def _member_seat(tender: Tender, actor: Actor) -> CommitteeSeat:
    seat = tender.seats.filter(Q(evaluator__user_id=actor.pk)).first()
    if seat is None:
        raise NotPermitted(_("Only the tender's committee members score its bids."))
    if seat.conflict is None:
        raise Conflict(_("Declare your interests before scoring."), code="not_declared")
    if seat.conflict:
        raise Conflict(
            _("You declared a conflict of interest: you do not score this tender."),
            code="conflict_of_interest",
        )
    return seat


def _unsigned(seat: CommitteeSeat) -> None:
    if seat.scores_signed_at is not None:
        raise Conflict(_("You have signed your scores: they are final."), code="scores_signed")


@service
def scores_record(*, tender: Tender, scores: list[GivenScore], actor: Actor) -> list[Score]:
    """Record (or correct, until the evaluation) the actor's scores of valid bids."""
    locked = locked_tender(tender, Tender.Status.OPENED)
    seat = _member_seat(locked, actor)
    _unsigned(seat)
    if not scores:
        raise InvalidInput(
            _("Give at least one score."), fields={"scores": [_("This list may not be empty.")]}
        )
    criteria = {c.pk: c for c in locked.criteria.all()}
    valid = set(
        Bid.objects.filter(lot__tender=locked, status=Bid.Status.VALID).values_list("pk", flat=True)
    )
    rows = []
    for given in scores:
        criterion = criteria.get(given.criterion_id)
        if given.bid_id not in valid or criterion is None:
            raise InvalidInput(
                _("Scores are given to this tender's valid bids on its criteria."),
                fields={"scores": [_("No such valid bid or criterion.")]},
            )
        if not 0 <= given.score <= criterion.max_score:
            raise InvalidInput(
                _("A score on %(criterion)s is between 0 and %(max)s.")
                % {"criterion": criterion.name, "max": criterion.max_score},
                fields={"scores": [_("Out of range.")]},
            )
        rows.append(Score(seat=seat, bid_id=given.bid_id, criterion=criterion, score=given.score))
    if len({(r.bid_id, r.criterion_id) for r in rows}) != len(rows):
        raise InvalidInput(
            _("Score each bid once on each criterion."), fields={"scores": [_("Given twice.")]}
        )
    saved = Score.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["seat", "bid", "criterion"],
        update_fields=["score", "scored_at"],
    )
    tender_event(
        locked,
        TenderEvent.Kind.SCORED,
        actor,
        seat=seat,
        note=_("%(n)s scores.") % {"n": len(saved)},
    )
    return saved


@service
def scores_sign(*, tender: Tender, actor: Actor) -> CommitteeSeat:
    """The member signs their score sheet, whole (every valid bid on every criterion): their
    scores are final from then on."""
    locked = locked_tender(tender, Tender.Status.OPENED)
    seat = CommitteeSeat.objects.select_for_update().get(pk=_member_seat(locked, actor).pk)
    _unsigned(seat)
    bids = Bid.objects.filter(lot__tender=locked, status=Bid.Status.VALID).count()
    expected = bids * locked.criteria.count()
    given = Score.objects.filter(seat=seat, bid__status=Bid.Status.VALID).count()
    if given < expected:
        raise Conflict(
            _("%(missing)s of your scores are still missing.") % {"missing": expected - given},
            code="scores_missing",
        )
    seat.scores_signed_at = timezone.now()
    seat.save(update_fields=["scores_signed_at"])
    tender_event(
        locked, TenderEvent.Kind.SIGNED, actor, seat=seat, note=_("%(n)s scores.") % {"n": given}
    )
    return seat


def _quality_scores(
    bids: list[Bid], scorers: list[CommitteeSeat], criteria: list[Criterion]
) -> dict[int, Decimal]:
    """Each bid's quality score: the mean over members of sum(score / max x weight)."""
    given: dict[tuple[int, int, int], Decimal] = {
        (s.bid_id, s.seat_id, s.criterion_id): s.score
        for s in Score.objects.filter(bid__in=bids, seat__in=scorers)
    }
    missing = len(bids) * len(scorers) * len(criteria) - len(given)
    if missing:
        raise Conflict(
            _("%(missing)s scores are still missing.") % {"missing": missing},
            code="scores_missing",
        )
    quality = {}
    for bid in bids:
        per_member = [
            sum(
                (given[bid.pk, seat.pk, c.pk] / c.max_score * c.weight for c in criteria),
                Decimal(0),
            )
            for seat in scorers
        ]
        quality[bid.pk] = (
            (sum(per_member, Decimal(0)) / len(per_member)).quantize(CENT)
            if per_member
            else Decimal(0)
        )
    return quality


@service
def tender_evaluate(*, tender: Tender, actor: Actor) -> Tender:
    """Rank every lot's valid bids and recommend the top one, once every member without a
    conflict has scored every valid bid on every criterion."""
    locked = locked_tender(tender, Tender.Status.OPENED)
    criteria = list(locked.criteria.all())
    scorers = list(locked.seats.filter(conflict=False))
    if criteria and not scorers:
        raise Conflict(
            _("No member without a conflict of interest has declared: nobody can score."),
            code="no_scorers",
        )
    lots = list(locked.lots.all())
    ranked: list[Bid] = []
    for lot in lots:
        bids = list(lot.bids.filter(status=Bid.Status.VALID))
        if not bids:
            continue
        quality = _quality_scores(bids, scorers, criteria)
        priced = price_scores(bids, locked.price_weight)
        for bid in bids:
            bid.price_score = priced[bid.pk]
            bid.quality_score = quality[bid.pk]
            bid.score = bid.price_score + bid.quality_score
        bids.sort(key=lambda b: (-b.score, -b.quality_score, b.total, b.submitted_at, b.pk))  # type: ignore[operator]
        for rank, bid in enumerate(bids, 1):
            bid.rank = rank
        lot.recommended_bid = bids[0]
        ranked += bids
    Bid.objects.bulk_update(ranked, ["price_score", "quality_score", "score", "rank"])
    Lot.objects.bulk_update(lots, ["recommended_bid"])
    locked.status = Tender.Status.EVALUATED
    locked.evaluated_at = timezone.now()
    locked.evaluated_by = person(actor)
    locked.save(update_fields=["status", "evaluated_at", "evaluated_by"])
    tender_event(locked, TenderEvent.Kind.EVALUATED, actor)
    return locked


@service
def lot_award(
    *,
    lot: Lot,
    bid: Bid | None = None,
    reason: str = "",
    justification: str = "",
    actor: User,
) -> Award:
    """Award a lot to the recommended bid (or, with a reason, another valid one) and make the
    framework contract from the winning bid's unit prices, valid from today."""
    tender = locked_tender(lot.tender, Tender.Status.EVALUATED)
    ensure_separate(AWARD, record=tender, actor=actor)
    lot = Lot.objects.get(pk=lot.pk)
    if Award.objects.filter(lot=lot).exists():
        raise Conflict(_("This lot is already awarded."), code="already_awarded")
    chosen = bid or lot.recommended_bid
    if chosen is None:
        raise Conflict(_("This lot has no valid bid to award."), code="no_valid_bid")
    if chosen.lot_id != lot.pk or chosen.status != Bid.Status.VALID:
        raise InvalidInput(
            _("Award a valid bid of this lot."), fields={"bid": [_("Not a valid bid of this lot.")]}
        )
    reason, justification = reason.strip(), justification.strip()
    departs = chosen.pk != lot.recommended_bid_id
    if departs and not reason:
        raise InvalidInput(
            _("Awarding another bid than the committee's recommendation needs a reason."),
            fields={"reason": [_("This field is required.")]},
        )
    if lot.bids.filter(status=Bid.Status.VALID).count() == 1 and not justification:
        raise InvalidInput(
            _("A lot with a single valid bid is awarded only with a recorded justification."),
            fields={"justification": [_("This field is required.")]},
        )
    supplier = Supplier.objects.get(pk=chosen.supplier_id)
    if supplier.status != Supplier.Status.ACTIVE:
        raise Conflict(
            _("%(supplier)s is suspended.") % {"supplier": supplier.name},
            code="supplier_suspended",
        )
    today = timezone.localdate()
    problem = eligibility_problem(supplier=supplier, category=lot.category, day=today)
    if problem:
        raise Conflict(
            _("%(supplier)s cannot be awarded: %(problem)s")
            % {"supplier": supplier.name, "problem": problem},
            code="not_qualified",
        )
    contract = FrameworkContract.objects.create(
        number=f"{tender.number}-{lot.number}",
        supplier=supplier,
        category=lot.category,
        valid_from=today,
        valid_to=add_months(today, tender.contract_months) - timedelta(days=1),
    )
    ContractPrice.objects.bulk_create(
        ContractPrice(contract=contract, item_id=line.line.item_id, unit_price=line.unit_price)
        for line in chosen.lines.select_related("line")
    )
    award = Award.objects.create(
        lot=lot,
        bid=chosen,
        contract=contract,
        departs_from_recommendation=departs,
        reason=reason,
        single_bid_justification=justification,
        awarded_by=actor,
    )
    tender_event(
        tender,
        TenderEvent.Kind.AWARDED,
        actor,
        lot=lot,
        bid=chosen,
        note=" ".join(filter(None, [reason, justification])),
    )
    awardable = tender.lots.filter(recommended_bid__isnull=False)
    if not awardable.filter(award__isnull=True).exists():
        tender.status = Tender.Status.AWARDED
        tender.save(update_fields=["status"])
    return award
