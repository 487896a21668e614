"""The two-level fault categories a repair request is filed under: a group (水电, 门窗 …) and a
fault within it, written `group.fault`. Dispatch rules name a group or a single fault."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

GROUPS = {
    "electric": _("electrical"),
    "plumbing": _("water and plumbing"),
    "building": _("doors, windows and walls"),
    "furniture": _("furniture"),
    "equipment": _("teaching and office equipment"),
    "network": _("network and telephones"),
    "hvac": _("heating and air conditioning"),
    "kitchen": _("kitchen equipment"),
}

FAULTS = {
    "electric.lighting": _("lights"),
    "electric.socket": _("sockets and switches"),
    "electric.outage": _("no power"),
    "plumbing.leak": _("leak"),
    "plumbing.blocked": _("blocked drain or toilet"),
    "plumbing.tap": _("taps and valves"),
    "building.door": _("doors and locks"),
    "building.window": _("windows and glass"),
    "building.wall": _("walls, ceilings and floors"),
    "furniture.desk": _("desks and chairs"),
    "furniture.bed": _("beds and wardrobes"),
    "equipment.projector": _("projectors and displays"),
    "equipment.computer": _("computers and printers"),
    "equipment.lab": _("laboratory instruments"),
    "network.wifi": _("network"),
    "network.phone": _("telephones"),
    "hvac.ac": _("air conditioners"),
    "hvac.heating": _("heating"),
    "kitchen.appliance": _("kitchen appliances"),
    "kitchen.refrigeration": _("cold storage"),
}

# Lazy: labels follow the reader's language, and migrations see the same choices in every one.
CHOICES = [
    (code, format_lazy("{} / {}", GROUPS[code.split(".")[0]], name))
    for code, name in FAULTS.items()
]
# What a dispatch rule may name: a whole group or one fault.
RULE_CHOICES = [(code, name) for code, name in GROUPS.items()] + CHOICES


def group_of(code: str) -> str:
    return code.split(".", 1)[0]
