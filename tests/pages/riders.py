"""The school buses' pages on a school's host (tenant_apps/riders/web).

Grants in houqin/roles.py: `riders.*` for the logistics director, `riders.view_*` for the
principal, `*.view_*` for the auditor; a bus escort's own runs (the scene puts the caller on the
run when they are an escort), which they check, start, tick riders on and off and close. The
seat chart is the school's (the director's, the principal's, the auditor's)."""

from typing import Any

from django.utils import timezone

from shared_apps.transport.models import Run
from tests.matrix import R, Scene
from tests.matrix.riders import (
    ESCORTING,
    READERS,
    caller_if_escort,
    escort_on,
    make_rider,
    started_trip,
)
from tests.matrix.transport import make_licence, make_run
from tests.pages import Declared, Pages


def a_trip(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    run = make_run(make_licence(schools=[scene.school]), day=timezone.localdate())
    rider = make_rider(scene.school, run)
    escort_on(scene.school, Run.objects.get(pk=rider.trip.run_ref), caller_if_escort(scene.school))
    return {"pk": rider.trip_id}


def a_trip_under_way(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": started_trip(scene.school, caller_if_escort(scene.school)).trip_id}


SCHOOL_PAGES: Pages = {
    "riders:today": Declared(READERS | {R.ESCORT}),
    "riders:trip": Declared(READERS | {R.ESCORT}, a_trip),
    "riders:check": Declared(ESCORTING, a_trip),
    "riders:start": Declared(ESCORTING, a_trip),
    "riders:passage": Declared(ESCORTING, a_trip_under_way),
    "riders:close": Declared(ESCORTING, a_trip_under_way),
    "riders:chart": Declared(READERS, a_trip),
}
