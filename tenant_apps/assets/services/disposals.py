"""Disposals (处置): asked for with the reason and the evidence, approved by the principal and,
when the asset's book value is above ASSETS_DISTRICT_DISPOSAL_THRESHOLD, confirmed by the
district's finance officer (a district role, acting on the school's host). Whoever asked does not
approve, and neither of them confirms. The asset is never deleted: disposed, it keeps its record
and its disposal."""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.duties import DISPOSAL_APPROVAL, DISPOSAL_CONFIRMATION, ensure_separate
from houqin.exceptions import Conflict
from shared_apps.accounts.actors import person
from tenant_apps.assets.models import Asset, Disposal
from tenant_apps.assets.selectors import book_value
from tenant_apps.assets.services._common import locked_asset, required


def _threshold() -> Decimal:
    return Decimal(str(settings.ASSETS_DISTRICT_DISPOSAL_THRESHOLD))


@service
def disposal_request(
    *, asset: Asset, method: str, reason: str, evidence: str, actor: Actor
) -> Disposal:
    """Ask to dispose of an asset: one disposal under way or done per asset (409 `asset_disposed`
    for an asset disposed of, `disposal_pending` while one waits)."""
    reason, evidence = required("reason", reason), required("evidence", evidence)
    locked = locked_asset(asset)
    value = book_value(locked, timezone.localdate())
    try:
        with transaction.atomic():
            return Disposal.objects.create(
                asset=locked,
                method=method,
                reason=reason,
                evidence=evidence,
                book_value=value,
                needs_district=value > _threshold(),
                requested_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("A disposal of this asset is waiting for approval."), code="disposal_pending"
        ) from None


def _locked(disposal: Disposal, status: str) -> Disposal:
    locked = Disposal.objects.select_for_update().get(pk=disposal.pk)
    if locked.status != status:
        raise Conflict(
            _("The disposal is %(status)s.") % {"status": locked.get_status_display()},
            code=f"disposal_{locked.status}",
        )
    return locked


def _dispose(disposal: Disposal) -> None:
    asset = locked_asset(disposal.asset)
    asset.status = Asset.Status.DISPOSED
    asset.disposed_on = timezone.localdate()
    asset.save(update_fields=["status", "disposed_on"])
    disposal.status = Disposal.Status.DISPOSED


@service
def disposal_approve(*, disposal: Disposal, actor: Actor) -> Disposal:
    """The principal's approval: the asset is disposed of, unless its book value needs the
    district's confirmation as well."""
    locked = _locked(disposal, Disposal.Status.REQUESTED)
    ensure_separate(DISPOSAL_APPROVAL, record=locked, actor=actor)
    locked.approved_by = person(actor)
    locked.approved_at = timezone.now()
    if locked.needs_district:
        locked.status = Disposal.Status.APPROVED
    else:
        _dispose(locked)
    locked.save()
    return locked


@service
def disposal_confirm(*, disposal: Disposal, actor: Actor) -> Disposal:
    """The district finance officer's confirmation of a disposal above the threshold."""
    locked = _locked(disposal, Disposal.Status.APPROVED)
    ensure_separate(DISPOSAL_CONFIRMATION, record=locked, actor=actor)
    locked.confirmed_by = person(actor)
    locked.confirmed_at = timezone.now()
    _dispose(locked)
    locked.save()
    return locked


@service
def disposal_reject(*, disposal: Disposal, reason: str, actor: Actor) -> Disposal:
    """Refuse a disposal waiting for approval (the principal's or the district's); the asset
    stays in use, and may be asked for again."""
    reason = required("reason", reason)
    locked = Disposal.objects.select_for_update().get(pk=disposal.pk)
    if locked.status not in (Disposal.Status.REQUESTED, Disposal.Status.APPROVED):
        raise Conflict(
            _("The disposal is %(status)s.") % {"status": locked.get_status_display()},
            code=f"disposal_{locked.status}",
        )
    locked.status = Disposal.Status.REJECTED
    locked.rejection_reason = reason
    locked.decided_by = person(actor)
    locked.save()
    return locked
