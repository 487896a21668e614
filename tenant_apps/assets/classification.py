"""The categories a school's assets are registered under: the classes of the national
classification of government assets (GB/T 14885-2022) that a school holds, each with the service
life its straight-line depreciation runs over, and whether it is special equipment (专用设备),
whose threshold for a fixed asset is higher.

A fixed asset (固定资产) costs at least FIXED_THRESHOLD (SPECIAL_THRESHOLD for special
equipment) and lasts more than a year; anything cheaper is a low-value item (低值易耗品), kept
in the register apart and not depreciated.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

FIXED_THRESHOLD = Decimal("1000.00")
SPECIAL_THRESHOLD = Decimal("1500.00")


@dataclass(frozen=True)
class AssetClass:
    code: str
    name: Promise
    life_years: int
    special: bool = False


CLASSES: tuple[AssetClass, ...] = (
    AssetClass("A02010104", _("desktop computers"), 6),
    AssetClass("A02010105", _("laptop computers"), 6),
    AssetClass("A02010300", _("network equipment"), 6),
    AssetClass("A02021000", _("office equipment (printers, copiers)"), 6),
    AssetClass("A02091000", _("audio-visual equipment (projectors, displays)"), 6),
    AssetClass("A02061800", _("air conditioners"), 8),
    AssetClass("A02052300", _("kitchen equipment"), 10),
    AssetClass("A02030500", _("school buses and vehicles"), 8),
    AssetClass("A02320000", _("teaching and laboratory instruments"), 10, special=True),
    AssetClass("A02340000", _("sports equipment"), 10, special=True),
    AssetClass("A05010000", _("furniture"), 15),
    AssetClass("A05020000", _("fixtures and appliances"), 5),
)

BY_CODE = {asset_class.code: asset_class for asset_class in CLASSES}
# Lazy: labels follow the reader's language, and migrations see the same choices in every one.
CHOICES = [(c.code, format_lazy("{} {}", c.code, c.name)) for c in CLASSES]
SPECIAL_CODES = [c.code for c in CLASSES if c.special]


def threshold(code: str) -> Decimal:
    """The cost from which an asset of the class `code` is a fixed asset."""
    return SPECIAL_THRESHOLD if BY_CODE[code].special else FIXED_THRESHOLD
