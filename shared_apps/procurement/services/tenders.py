"""Writes about tenders before bids come in: aggregating approved requisitions into lots and
lines, the draft's settings (deadline, ceilings, criteria, committee, threshold), publication
(which seals the tender and has the district sign its key's fingerprint: see sealing.py), the
reserve price, cancellation.

Every service runs in one transaction and locks the tender row first, so that a tender's steps
happen one at a time; each step people read is a typed `TenderEvent`.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.models import User
from shared_apps.procurement import sealing
from shared_apps.procurement.models import (
    Category,
    CommitteeSeat,
    Criterion,
    Evaluator,
    Lot,
    Requisition,
    RequisitionLine,
    Tender,
    TenderEvent,
    TenderLine,
    TenderLineSource,
)
from shared_apps.procurement.selectors.tenders import deadline_passed
from shared_apps.procurement.services._tenders import locked_tender, tender_event
from shared_apps.procurement.tender_keys import (
    district_signing_key,
    key_statement,
    sealed_amount,
    stored,
    verified_public_key,
)

MIN_COMMITTEE = 3


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: int
    max_score: int = 10


# Drafts ----------------------------------------------------------------------------------------


def _build_lots(tender: Tender, requisitions: list[Requisition]) -> None:
    """One lot per category, one line per catalogue item with the quantities summed; each
    requisition line is linked to the tender line it landed in."""
    lines = list(
        RequisitionLine.objects.across_schools()
        .filter(requisition__in=requisitions)
        .select_related("item")
        .order_by("id")
    )
    tendered = TenderLineSource.objects.across_schools().filter(
        requisition_line__in=lines, released=False
    )
    if tendered.exists():
        raise Conflict(
            _("Some of these requisitions' lines are already in a tender."),
            code="already_tendered",
        )
    by_category: dict[str, dict[int, list[RequisitionLine]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for line in lines:
        by_category[line.item.category][line.item_id].append(line)
    order = [c.value for c in Category]
    sources = []
    for number, category in enumerate(sorted(by_category, key=order.index), 1):
        lot = Lot.objects.create(tender=tender, number=number, category=category)
        for grouped in by_category[category].values():
            item = grouped[0].item
            tender_line = TenderLine.objects.create(
                lot=lot,
                item=item,
                quantity=sum((line.quantity for line in grouped), Decimal(0)),
                specification=item.specification,
            )
            sources += [
                TenderLineSource(requisition_line=line, tender_line=tender_line) for line in grouped
            ]
    try:
        with transaction.atomic():
            TenderLineSource.objects.bulk_create(sources)
    except IntegrityError:
        # Another tender took the same lines at the same moment.
        raise Conflict(
            _("Some of these requisitions' lines are already in a tender."),
            code="already_tendered",
        ) from None


class TenderSettings(TypedDict, total=False):
    deadline: datetime | None
    price_weight: int | None
    contract_months: int | None
    threshold: int | None
    criteria: list[CriterionSpec] | None
    committee: list[Evaluator] | None
    ceilings: dict[str, Decimal] | None


class TenderDraft(TenderSettings, total=False):
    title: str | None


def _apply_settings(
    tender: Tender,
    *,
    deadline: datetime | None = None,
    price_weight: int | None = None,
    contract_months: int | None = None,
    threshold: int | None = None,
    criteria: list[CriterionSpec] | None = None,
    committee: list[Evaluator] | None = None,
    ceilings: dict[str, Decimal] | None = None,
    title: str | None = None,
) -> None:
    if deadline is not None:
        if deadline <= timezone.now():
            raise InvalidInput(
                _("The deadline must be in the future."),
                fields={"deadline": [_("In the past.")]},
            )
        tender.deadline = deadline
    if title is not None:
        tender.title = title.strip()
    for field, value in (
        ("price_weight", price_weight),
        ("contract_months", contract_months),
        ("threshold", threshold),
    ):
        if value is not None:
            setattr(tender, field, value)
    try:
        with transaction.atomic():
            tender.save()
    except IntegrityError:
        raise InvalidInput(
            _(
                "A setting is out of range: price weight at most 100, a threshold of at least 2, "
                "a contract of 1 to 60 months."
            )
        ) from None
    if criteria is not None:
        names = [c.name.strip() for c in criteria]
        if len(set(names)) != len(names):
            raise InvalidInput(
                _("Each criterion has its own name."), fields={"criteria": [_("Duplicate name.")]}
            )
        tender.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(tender=tender, name=name, weight=c.weight, max_score=c.max_score)
            for name, c in zip(names, criteria, strict=True)
        )
    if committee is not None:
        ids = [e.pk for e in committee]
        if len(set(ids)) != len(ids):
            raise InvalidInput(
                _("An evaluator sits once on a committee."),
                fields={"committee": [_("Duplicate evaluator.")]},
            )
        tender.seats.all().delete()
        CommitteeSeat.objects.bulk_create(
            CommitteeSeat(tender=tender, evaluator=evaluator, index=index)
            for index, evaluator in enumerate(committee, 1)
        )
    if ceilings is not None:
        lots = {lot.category: lot for lot in tender.lots.all()}
        unknown = sorted(set(ceilings) - set(lots))
        if unknown:
            raise InvalidInput(
                _("This tender has no lot of category %(category)s.") % {"category": unknown[0]},
                fields={"ceilings": [_("No such lot.")]},
            )
        for category, ceiling in ceilings.items():
            if ceiling <= 0:
                raise InvalidInput(
                    _("A ceiling must be positive."), fields={"ceilings": [_("Not positive.")]}
                )
            lots[category].ceiling = ceiling
            lots[category].save(update_fields=["ceiling"])


@service
def tender_create(
    *, title: str, requisitions: list[Requisition], actor: User, **draft: Unpack[TenderSettings]
) -> Tender:
    """A draft tender aggregating the lines of approved requisitions (of any schools)."""
    if not requisitions:
        raise InvalidInput(
            _("A tender aggregates at least one requisition."),
            fields={"requisitions": [_("This list may not be empty.")]},
        )
    locked = list(
        Requisition.objects.across_schools()
        .select_for_update()
        .filter(pk__in=[r.pk for r in requisitions])
        .order_by("pk")
    )
    if any(r.status != Requisition.Status.APPROVED for r in locked):
        raise Conflict(
            _("Only approved requisitions can be tendered."), code="requisition_not_approved"
        )
    # The number needs the row's id: a unique placeholder first.
    tender = Tender.objects.create(
        number=f"draft-{uuid.uuid4().hex[:16]}", title=title.strip(), created_by=actor
    )
    tender.number = f"ZB{timezone.localdate():%Y}{tender.pk:06d}"
    _build_lots(tender, locked)
    _apply_settings(tender, **draft)
    return tender


@service
def tender_update(*, tender: Tender, actor: Actor, **draft: Unpack[TenderDraft]) -> Tender:
    """Change a draft's settings."""
    locked = locked_tender(tender, Tender.Status.DRAFT)
    _apply_settings(locked, **draft)
    return locked


# Publication -----------------------------------------------------------------------------------


def _publication_problems(tender: Tender, seats: list[CommitteeSeat]) -> list[tuple[str, str]]:
    """What stands in the way of publishing, each problem with the setting it is about."""
    problems = []
    if tender.deadline is None or tender.deadline <= timezone.now():
        problems.append(("deadline", _("The deadline must be set, in the future.")))
    if any(lot.ceiling is None for lot in tender.lots.all()):
        problems.append(("ceilings", _("Every lot needs its price ceiling.")))
    weights = tender.price_weight + sum(c.weight for c in tender.criteria.all())
    if weights != 100:
        problems.append(
            (
                "criteria",
                _("The price weight and the criteria's weights add up to %(sum)s, not 100.")
                % {"sum": weights},
            )
        )
    if len(seats) < MIN_COMMITTEE:
        problems.append(
            ("committee", _("A committee has at least %(n)s evaluators.") % {"n": MIN_COMMITTEE})
        )
    elif not 2 <= tender.threshold <= len(seats):
        problems.append(
            (
                "threshold",
                _("The shares needed to open must be between 2 and the committee's size (%(n)s).")
                % {"n": len(seats)},
            )
        )
    for seat in seats:
        if not seat.evaluator.active:
            problems.append(
                (
                    "committee",
                    _("%(name)s is no longer in the pool.") % {"name": seat.evaluator.name},
                )
            )
        elif seat.evaluator.public_key is None:
            problems.append(
                (
                    "committee",
                    _("%(name)s has not registered a sealing key.") % {"name": seat.evaluator.name},
                )
            )
    return problems


def _not_ready(problems: list[tuple[str, str]], *, by_field: bool) -> InvalidInput:
    fields: dict[str, list[str]] = defaultdict(list)
    for field, message in problems:
        fields[field if by_field else "tender"].append(message)
    return InvalidInput(
        " ".join(message for _field, message in problems), code="not_ready", fields=dict(fields)
    )


@service
def tender_prepare(
    *, title: str, requisitions: list[Requisition], actor: User, **draft: Unpack[TenderSettings]
) -> Tender:
    """A draft as `tender_create` makes it, kept only when it could be published as it stands:
    otherwise refused, nothing kept, each problem named with the setting it is about."""
    tender = tender_create(title=title, requisitions=requisitions, actor=actor, **draft)
    problems = _publication_problems(
        tender, list(tender.seats.select_related("evaluator").order_by("index"))
    )
    if problems:
        raise _not_ready(problems, by_field=True)
    return tender


@service
def tender_publish(*, tender: Tender, actor: Actor) -> Tender:
    """Publish a draft: make the tender's key and seal it k of n to the committee."""
    locked = locked_tender(tender, Tender.Status.DRAFT)
    seats = list(locked.seats.order_by("index"))
    # The members' rows are locked so that no key is replaced while shares are sealed to it.
    evaluators = {
        e.pk: e
        for e in Evaluator.objects.select_for_update()
        .filter(pk__in=[s.evaluator_id for s in seats])
        .order_by("pk")
    }
    for seat in seats:
        seat.evaluator = evaluators[seat.evaluator_id]
    problems = _publication_problems(locked, seats)
    if problems:
        raise _not_ready(problems, by_field=False)
    sealed = sealing.seal_tender_key(
        [stored(seat.evaluator.public_key) for seat in seats],
        locked.threshold,
        bits=settings.PROCUREMENT_SEALING_RSA_BITS,
    )
    for seat, share in zip(seats, sealed.sealed_shares, strict=True):
        seat.sealed_share = share
    CommitteeSeat.objects.bulk_update(seats, ["sealed_share"])
    locked.public_key = sealed.public_key
    locked.sealed_private_key = sealed.sealed_private_key
    locked.key_fingerprint = sealing.key_fingerprint(sealed.public_key)
    locked.key_signature = sealing.sign(
        district_signing_key(), key_statement(locked, locked.key_fingerprint)
    )
    locked.status = Tender.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(
        update_fields=[
            "public_key",
            "sealed_private_key",
            "key_fingerprint",
            "key_signature",
            "status",
            "published_at",
        ]
    )
    tender_event(locked, TenderEvent.Kind.PUBLISHED, actor)
    return locked


@service
def tender_seal_reserve(*, tender: Tender, reserves: dict[int, Decimal], actor: Actor) -> Tender:
    """Seal the reserve price (标底) of some lots, until the deadline; a lot's latest counts."""
    locked = locked_tender(tender, Tender.Status.PUBLISHED)
    if deadline_passed(locked):
        raise Conflict(
            _("The deadline has passed: reserve prices can no longer be given."),
            code="deadline_passed",
        )
    public_key = verified_public_key(locked)
    lots = {lot.pk: lot for lot in locked.lots.all()}
    if not reserves or set(reserves) - set(lots):
        raise InvalidInput(
            _("Give reserve prices for lots of this tender."),
            fields={"reserve_prices": [_("No such lot.")]},
        )
    sealed = []
    for lot_id, amount in reserves.items():
        if amount <= 0:
            raise InvalidInput(
                _("A reserve price must be positive."),
                fields={"reserve_prices": [_("Not positive.")]},
            )
        lot = lots[lot_id]
        lot.sealed_reserve = sealing.seal(public_key, sealed_amount(amount).encode())
        sealed.append(lot)
    Lot.objects.bulk_update(sealed, ["sealed_reserve"])
    numbers = ", ".join(str(lot.number) for lot in sorted(sealed, key=lambda lot: lot.number))
    tender_event(
        locked,
        TenderEvent.Kind.RESERVE_SEALED,
        actor,
        note=_("Lots %(numbers)s") % {"numbers": numbers},
    )
    return locked


@service
def tender_cancel(*, tender: Tender, reason: str, actor: Actor) -> Tender:
    """Cancel a tender not yet awarded; its requisition lines may be tendered again."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Cancelling needs a reason."), fields={"reason": [_("This field is required.")]}
        )
    locked = locked_tender(
        tender,
        Tender.Status.DRAFT,
        Tender.Status.PUBLISHED,
        Tender.Status.CLOSED,
        Tender.Status.OPENED,
        Tender.Status.EVALUATED,
    )
    if locked.lots.filter(award__isnull=False).exists():
        raise Conflict(_("A lot of this tender is awarded."), code="tender_awarded")
    TenderLineSource.objects.across_schools().filter(tender_line__lot__tender=locked).update(
        released=True
    )
    locked.status = Tender.Status.CANCELLED
    locked.cancel_reason = reason
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["status", "cancel_reason", "cancelled_at"])
    tender_event(locked, TenderEvent.Kind.CANCELLED, actor, note=reason)
    return locked
