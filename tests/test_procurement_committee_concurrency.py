"""The evaluation committee's score sheets on separate connections: a change and a signature of
the same sheet at once (each locks the tender in turn)."""

from decimal import Decimal
from typing import Any

from houqin.exceptions import Conflict
from shared_apps.procurement.models import Bid, Score, TenderEvent
from shared_apps.procurement.services import evaluation
from tests.concurrency import at_once
from tests.matrix.tenders import opened_tender, seats
from tests.test_tenders import _discard_tender


def test_a_sheet_changed_and_signed_at_once_is_signed_as_it_stands(committed: Any) -> None:
    """The change and the signature lock the tender in turn: the signed sheet is the one that
    stands, and a change that comes after the signature is refused."""
    tender = opened_tender((Decimal("9.00"), Decimal("10.00")))
    made = tender.pk
    committed.append(lambda: _discard_tender(made))
    seat = next(s for s in seats(tender) if s.conflict is False)
    user = seat.evaluator.user
    valid = list(Bid.objects.filter(lot__tender=tender, status=Bid.Status.VALID))
    criteria = list(tender.criteria.all())

    def sheet(score: str) -> list[evaluation.GivenScore]:
        return [evaluation.GivenScore(b.pk, c.pk, Decimal(score)) for b in valid for c in criteria]

    evaluation.scores_record(tender=tender, scores=sheet("8"), actor=user)

    def act(i: int) -> object:
        if i == 0:
            return evaluation.scores_sign(tender=tender, actor=user)
        return evaluation.scores_record(tender=tender, scores=sheet("9"), actor=user)

    signed, changed = at_once(2, act)
    assert not isinstance(signed, BaseException), signed
    seat.refresh_from_db()
    assert seat.scores_signed_at is not None
    given = set(Score.objects.filter(seat=seat).values_list("score", flat=True))
    events = TenderEvent.objects.filter(tender=tender, seat=seat)
    signing = events.get(kind=TenderEvent.Kind.SIGNED).pk
    if isinstance(changed, Conflict):
        assert changed.code == "scores_signed" and given == {Decimal("8.00")}
    else:
        assert not isinstance(changed, BaseException), changed
        assert given == {Decimal("9.00")}
        assert events.filter(kind=TenderEvent.Kind.SCORED).latest("pk").pk < signing
