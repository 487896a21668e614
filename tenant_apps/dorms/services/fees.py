"""Writes about the boarding fee (住宿费): charged per term to a boarder where the school may
charge it (never at a rural school's compulsory-education grades), and refunded for the share of
the term's school days left when the pupil leaves the dormitory, due within 15 working days."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.canteen.models import SchoolTerm
from tenant_apps.dorms.models import Allocation, FeeCharge
from tenant_apps.dorms.selectors import from_on
from tenant_apps.people.models import Student
from tenants.selectors import current_school

CENT = Decimal("0.01")
MAX_FEE = Decimal("99999.99")
# A refund is paid within this many working days of the pupil's leaving.
REFUND_WORKING_DAYS = 15


@service
def fee_charge(
    *,
    student: Student,
    term: SchoolTerm,
    amount: Decimal,
    actor: Actor,
    charged_on: date | None = None,
) -> FeeCharge:
    """Charge `student` the term's boarding fee. Refused (409 `fee_not_allowed`) at a rural
    school for a compulsory-education pupil, (409 `not_boarding`) for a pupil with no bed in the
    term, (409 `fee_charged`) when the term's fee is charged already."""
    if amount != amount.quantize(CENT) or not 0 < amount <= MAX_FEE:
        message = _("A fee is more than 0 and at most 99999.99 CNY, to the fen.")
        raise InvalidInput(message, code="invalid_amount", fields={"amount": [message]})
    locked = Student.objects.select_for_update().get(pk=student.pk)
    if not current_school().may_charge_boarding_fee(locked.grade):
        raise Conflict(
            _(
                "A rural school charges no boarding fee in compulsory education: only "
                "exercise-book fees and voluntary meal fees may be charged."
            ),
            code="fee_not_allowed",
        )
    stays = Allocation.objects.filter(
        from_on(term.start_date), student=locked, start_date__lte=term.end_date
    )
    if not stays.exists():
        raise Conflict(_("The pupil has no bed in this term."), code="not_boarding")
    if FeeCharge.objects.filter(student=locked, term=term).exists():
        raise Conflict(_("This term's boarding fee is charged already."), code="fee_charged")
    try:
        with transaction.atomic():
            return FeeCharge.objects.create(
                student=locked,
                term=term,
                amount=amount,
                charged_on=charged_on or timezone.localdate(),
                charged_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("This term's boarding fee is charged already."), code="fee_charged"
        ) from None


@service
def fee_refund_pay(
    *, charge: FeeCharge, refunded_on: date, reference: str, actor: Actor
) -> FeeCharge:
    """Record the refund of a pupil who left as paid back (409 `no_refund` when none is due,
    `refunded` when it was paid already)."""
    reference = (reference or "").strip()
    if not reference:
        message = _("A refund needs a payment reference.")
        raise InvalidInput(message, fields={"reference": [message]})
    locked = FeeCharge.objects.select_for_update().get(pk=charge.pk)
    if locked.refunded_on is not None:
        raise Conflict(_("This refund is paid already."), code="refunded")
    if locked.refund_due is None or locked.refund == 0:
        raise Conflict(_("No refund is due on this fee."), code="no_refund")
    if refunded_on < locked.left_on:  # type: ignore[operator]
        message = _("A refund is paid after the pupil left.")
        raise InvalidInput(message, fields={"refunded_on": [message]})
    locked.refunded_on = refunded_on
    locked.refund_reference = reference
    locked.save(update_fields=["refunded_on", "refund_reference"])
    return locked
