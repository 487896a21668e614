"""Writes about the pool of evaluators (评标专家) and their sealing keys.

An evaluator registers their sealing key by giving a passphrase: the server makes the key pair,
keeps the public half and the private half encrypted under the passphrase, and forgets the
passphrase. Shares of tender keys are sealed to the public half at publication, so the key may be
replaced only while its holder sits on no published, unopened committee.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput, NotPermitted
from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import role_names_for
from shared_apps.procurement import sealing
from shared_apps.procurement.models import Evaluator, Tender

MIN_PASSPHRASE = 12
# Tenders whose shares are sealed to their members' current keys.
SEALED_STATUSES = (Tender.Status.PUBLISHED, Tender.Status.CLOSED)


@service
def evaluator_create(
    *, user: User, name: str, employer: str, address: str, phone: str, actor: Actor
) -> Evaluator:
    """Add a user holding the evaluator role to the pool. Whoever runs tenders cannot also sit on
    their committees."""
    roles = set(role_names_for(user_id=user.pk, school_id=None))
    if Role.EVALUATOR.value not in roles:
        raise InvalidInput(
            _("This user does not hold the evaluator role."),
            fields={"user": [_("Not an evaluator.")]},
        )
    if Role.PROCUREMENT_OFFICER.value in roles:
        raise Conflict(
            _("A procurement officer cannot sit on evaluation committees."),
            code="separation_of_duties",
        )
    try:
        with transaction.atomic():
            return Evaluator.objects.create(
                user=user,
                name=name.strip(),
                employer=employer.strip(),
                address=address.strip(),
                phone=phone.strip(),
            )
    except IntegrityError:
        raise Conflict(_("This user is already in the pool."), code="duplicate_evaluator") from None


@service
def evaluator_update(*, evaluator: Evaluator, actor: Actor, **changes: object) -> Evaluator:
    locked = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    for field in ("name", "employer", "address", "phone", "active"):
        if field in changes:
            value = changes[field]
            setattr(locked, field, value.strip() if isinstance(value, str) else value)
    locked.save()
    return locked


@service
def evaluator_register_key(*, evaluator: Evaluator, passphrase: str, actor: Actor) -> Evaluator:
    """Make the evaluator's sealing key, locked under `passphrase`; only they may do it."""
    if actor.pk != evaluator.user_id:
        raise NotPermitted(_("Only the evaluator may register their own sealing key."))
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise InvalidInput(
            _("A passphrase has at least %(n)s characters.") % {"n": MIN_PASSPHRASE},
            fields={"passphrase": [_("Too short.")]},
        )
    # The slow part (key generation, scrypt) happens before any row is locked.
    key = sealing.new_key_pair(settings.PROCUREMENT_SEALING_RSA_BITS)
    locked_key = sealing.lock_private_key(
        key, passphrase, scrypt_cost=settings.PROCUREMENT_SEALING_SCRYPT_COST
    )
    with transaction.atomic():
        locked = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
        if locked.seats.filter(tender__status__in=SEALED_STATUSES).exists():
            raise Conflict(
                _("Your key seals shares of tenders not yet opened; it can be replaced after."),
                code="key_in_use",
            )
        locked.public_key = sealing.public_pem(key)
        locked.locked_private_key = locked_key
        locked.key_registered_at = timezone.now()
        locked.save(update_fields=["public_key", "locked_private_key", "key_registered_at"])
        return locked
