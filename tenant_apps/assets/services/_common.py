"""What the writes about a school's property share."""

from django.utils.translation import gettext as _

from houqin.exceptions import Conflict, InvalidInput
from tenant_apps.assets.models import Asset


def required(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("This field is required."), fields={field: [_("Required.")]})
    return value


def locked_asset(asset: Asset) -> Asset:
    """The asset locked for a change; refused once disposed."""
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if locked.status == Asset.Status.DISPOSED:
        raise Conflict(_("The asset has been disposed of."), code="asset_disposed")
    return locked
