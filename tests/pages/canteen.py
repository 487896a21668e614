"""The canteen's pages on a school's host (tenant_apps/canteen/web; receiving an order's
delivery, where the canteen's inbound inspection is made, is declared with the orders' pages).

Grants in houqin/roles.py: `canteen.*` for the canteen manager and the logistics director
(`canteen.add_accompaniedmeal` for the principal too); `canteen.view_*` for the principal and the
accountant; `canteen.view_menu` for every member; `*.view_*` for the auditor; receiving
deliveries is declared in tests/pages/orders.py."""

import datetime
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.canteen.models import Menu
from tests.matrix import R, Scene
from tests.matrix.canteen import (
    MENU_READERS,
    READERS,
    WRITERS,
    kept_sample,
    make_session,
    school_day,
)
from tests.pages import Declared, Pages

_serial = iter(range(5000, 10**9))


def session(scene: Scene) -> dict[str, Any]:
    return {"pk": make_session(scene, next(_serial)).pk}


def menu(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    day = school_day(next(_serial))
    with tenant_context(scene.school):
        made = Menu.objects.create(
            start_date=day,
            end_date=day + datetime.timedelta(days=4),
            age_band="9-11",
            origin=Menu.Origin.OWN,
        )
    return {"pk": made.pk}


def sample(scene: Scene) -> dict[str, Any]:
    return {"pk": kept_sample(scene, next(_serial)).pk}


SCHOOL_PAGES: Pages = {
    "canteen:today": Declared(READERS),
    "canteen:plans": Declared(WRITERS),
    "canteen:menus": Declared(MENU_READERS),
    "canteen:menu": Declared(MENU_READERS, menu),
    "canteen:sessions": Declared(READERS),
    "canteen:session-open": Declared(WRITERS),
    "canteen:session": Declared(READERS, session),
    "canteen:session-cost": Declared(WRITERS, session),
    "canteen:roster": Declared(WRITERS, session),
    "canteen:card": Declared(WRITERS, session),
    "canteen:import": Declared(WRITERS, session),
    "canteen:sample-add": Declared(WRITERS, session),
    "canteen:accompany": Declared(WRITERS | {R.PRINCIPAL}, session),
    "canteen:samples": Declared(READERS),
    "canteen:sample-discard": Declared(WRITERS, sample),
    "canteen:cold": Declared(READERS),
    "canteen:cold-add": Declared(WRITERS),
    "canteen:inspections": Declared(READERS),
    "canteen:inspection-add": Declared(WRITERS),
    "canteen:alerts": Declared(READERS),
}
