"""The finance ledger's fixed-asset balances, as the accountant reads them from the books: the
first of the three ledgers (三账一卡) the register is reconciled with."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from shared_apps.accounts.actors import person
from tenant_apps.assets import classification
from tenant_apps.assets.models import LedgerBalance


@service
def ledger_balance_record(
    *, category: str, as_of: date, amount: Decimal, actor: Actor
) -> LedgerBalance:
    """Record the ledger's balance of a category on a day (once a day per category)."""
    if category not in classification.BY_CODE:
        raise InvalidInput(_("Unknown category."), fields={"category": [_("Unknown category.")]})
    if amount < 0 or as_of > timezone.localdate():
        message = _("A balance of 0 or more, on a day that has come.")
        raise InvalidInput(message, fields={"amount": [message]})
    try:
        with transaction.atomic():
            return LedgerBalance.objects.create(
                category=category, as_of=as_of, amount=amount, recorded_by=person(actor)
            )
    except IntegrityError:
        raise Conflict(
            _("The ledger's balance of this category on that day is recorded already."),
            code="balance_exists",
        ) from None
