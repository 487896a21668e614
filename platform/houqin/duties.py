"""Separation of duties (不相容职务分离): whoever prepared something does not approve it.

Each `Duty` pairs an approving act (the permission it takes, in the role registry) with the
fields of the approved row that name who prepared it. The services call `ensure_separate()` as
they approve, and it refuses the act when the approver is one of the preparers, or when the
approver holds a role that allows the act through a membership a preparer granted, or on an
account a preparer opened (who knew its first password): a second account made to approve one's
own work. Who granted which membership, and who opened which account, is the accounts app's to
say: it hands its selector over in its AppConfig.ready (`delegations_from`).
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from houqin.door import Actor, actor_id
from houqin.exceptions import Conflict
from houqin.roles import Role, roles_allowed


@dataclass(frozen=True)
class Duty:
    # The model of the row the act approves, e.g. "procurement.requisition".
    record: str
    # The permission of the approving act, e.g. "procurement.approve_requisition".
    act: str
    # Paths from the approved row to each user who prepared it, e.g. "invoice.recorded_by".
    prepared_by: tuple[str, ...]
    message: Promise


REQUISITION_APPROVAL = Duty(
    "procurement.requisition",
    "procurement.approve_requisition",
    ("raised_by",),
    _("Whoever raised a requisition cannot approve it."),
)
CLAIM_SUBMISSION = Duty(
    "subsidies.claim",
    "subsidies.submit_claim",
    ("computed_by",),
    _("Whoever prepared a claim cannot submit it."),
)
CLAIM_APPROVAL = Duty(
    "subsidies.claim",
    "subsidies.approve_claim",
    ("computed_by", "submitted_by"),
    _("Whoever prepared or submitted a claim cannot approve it."),
)
SUPPLEMENT_APPROVAL = Duty(
    "subsidies.budgetsupplement",
    "subsidies.approve_budgetsupplement",
    ("added_by",),
    _("Whoever proposed a supplementary budget cannot approve it."),
)
PAYMENT = Duty(
    "orders.expenditure",
    "orders.pay_expenditure",
    ("invoice.recorded_by",),
    _("Whoever recorded an invoice cannot pay it."),
)
NOTE_SETTLEMENT = Duty(
    "orders.invoicenote",
    "orders.settle_invoicenote",
    ("recorded_by",),
    _("Whoever recorded a credit or debit note cannot settle it."),
)
AWARD = Duty(
    "procurement.tender",
    "procurement.award_tender",
    ("evaluated_by",),
    _("Whoever evaluated a tender cannot award its lots."),
)
DISPOSAL_APPROVAL = Duty(
    "assets.disposal",
    "assets.approve_disposal",
    ("requested_by",),
    _("Whoever asked for a disposal cannot approve it."),
)
DISPOSAL_CONFIRMATION = Duty(
    "assets.disposal",
    "assets.confirm_disposal",
    ("requested_by", "approved_by"),
    _("Whoever asked for or approved a disposal cannot confirm it."),
)

DUTIES = (
    REQUISITION_APPROVAL,
    CLAIM_SUBMISSION,
    CLAIM_APPROVAL,
    SUPPLEMENT_APPROVAL,
    PAYMENT,
    NOTE_SETTLEMENT,
    AWARD,
    DISPOSAL_APPROVAL,
    DISPOSAL_CONFIRMATION,
)


class HoldsThrough(Protocol):
    def __call__(
        self, *, user_id: int, roles: Collection[Role], people: Collection[int]
    ) -> bool: ...


_holds_through: HoldsThrough | None = None


def delegations_from(source: HoldsThrough) -> None:
    """Answer whether a user holds one of `roles` through a membership one of `people` granted,
    or on an account one of them opened, with `source`."""
    global _holds_through
    _holds_through = source


def preparers(duty: Duty, record: models.Model) -> set[int]:
    """The ids of the users who prepared `record`, as `duty` names them."""
    found = set()
    for path in duty.prepared_by:
        *through, field = path.split(".")
        row: Any = record
        for step in through:
            row = getattr(row, step)
        user_id = getattr(row, f"{field}_id")
        if user_id is not None:
            found.add(user_id)
    return found


def ensure_separate(duty: Duty, *, record: models.Model, actor: Actor) -> None:
    """Refuse `actor` the act of `duty` on `record` when they, or a role or an account they were
    given by a preparer, prepared it. A system act (a `SystemActor`) is not checked."""
    if record._meta.label_lower != duty.record:
        raise TypeError(f"{duty.act} approves a {duty.record}, not a {record._meta.label_lower}")
    user_id = actor_id(actor)
    if user_id is None:
        return
    people = preparers(duty, record)
    if user_id in people:
        raise Conflict(str(duty.message), code="separation_of_duties")
    if _holds_through is None:
        raise ImproperlyConfigured("No installed app says who granted which role.")
    if people and _holds_through(user_id=user_id, roles=roles_allowed(duty.act), people=people):
        raise Conflict(
            _(
                "%(rule)s Nor can an account its preparer opened, or a role they granted: "
                "someone else must do it."
            )
            % {"rule": duty.message},
            code="separation_of_duties",
        )
