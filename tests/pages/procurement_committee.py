"""The evaluation committee's pages and the auditors' procurement pages, on the district host
(shared_apps/procurement/web/committee and .../oversight).

A committee member (the evaluator role) acts in their own seats only: the seat a page shows is
the caller's when the caller holds the evaluator role (the last account made is the caller's),
else another member's, which nobody else finds (the procurement officer, who may act on any
seat through the API, acts in none here). The auditors and the buying office read the signals,
a tender as the auditors read it, and the district's spend."""

from typing import Any

from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import role_names_for
from shared_apps.procurement.models import CommitteeSeat, Evaluator, Tender
from shared_apps.procurement.services import tenders as services
from tenants.models import School
from tests.matrix import AUDITOR, R, Scene
from tests.matrix.tenders import (
    bid_on,
    close,
    draft_tender,
    make_evaluator,
    officer,
    opened_tender,
    present,
    sealing_keys,
    seats,
)
from tests.pages import Declared, Pages

MEMBER = frozenset({R.EVALUATOR})
READERS = AUDITOR | {R.PROCUREMENT_OFFICER}


def member_evaluator(user: User) -> Evaluator:
    """`user` in the pool, with a sealing key locked under tests.matrix.tenders.PASSPHRASE."""
    public, locked = sealing_keys()[0]
    evaluator, _made = Evaluator.objects.get_or_create(
        user=user,
        defaults={
            "name": user.display_name or "评标专家",
            "employer": "县教育局",
            "address": "专家路1号",
            "phone": "13700000000",
            "public_key": public,
            "locked_private_key": locked,
            "key_registered_at": timezone.now(),
        },
    )
    return evaluator


def caller_tender(
    *, opened: bool = False, school: School | None = None
) -> tuple[Tender, CommitteeSeat]:
    """A published tender past its deadline (opened, when asked, by the other members' shares)
    whose first seat is the caller's when they are an evaluator, and the seat."""
    caller = User.objects.order_by("-pk").first()
    member = caller is not None and R.EVALUATOR.value in role_names_for(
        user_id=caller.pk, school_id=None
    )
    first = member_evaluator(caller) if caller is not None and member else make_evaluator()
    draft = draft_tender(school=school)
    others = [seat.evaluator for seat in seats(draft)][1:]
    tender = services.tender_update(
        tender=draft, committee=[first, *others], actor=draft.created_by
    )
    tender = services.tender_publish(tender=tender, actor=officer())
    lot = tender.lots.order_by("number").first()
    assert lot is not None
    bid_on(lot)
    close(tender)
    if opened:
        for seat in [seat for seat in seats(tender) if seat.evaluator_id != first.pk]:
            present(seat)
    return tender, tender.seats.get(evaluator=first)


def a_seat(scene: Scene) -> dict[str, Any]:
    return {"pk": caller_tender(school=scene.school)[1].pk}


def an_opened_seat(scene: Scene) -> dict[str, Any]:
    return {"pk": caller_tender(opened=True, school=scene.school)[1].pk}


def an_opened_tender(scene: Scene) -> dict[str, Any]:
    return {"pk": opened_tender(school=scene.school).pk}


DISTRICT_PAGES: Pages = {
    "evaluation:seats": Declared(MEMBER | {R.PROCUREMENT_OFFICER}),
    "evaluation:seat": Declared(MEMBER, a_seat),
    "evaluation:declare": Declared(MEMBER, a_seat),
    "evaluation:present": Declared(MEMBER, a_seat),
    "evaluation:scores": Declared(MEMBER, an_opened_seat),
    "evaluation:sign": Declared(MEMBER, an_opened_seat),
    "procurement-review:signals": Declared(READERS),
    "procurement-review:tender": Declared(READERS, an_opened_tender),
    "procurement-review:spend": Declared(READERS),
}
