"""The school buses' pages on a school's host (tenant_apps/riders/web).

Grants in houqin/roles.py: `riders.*` for the logistics director, `riders.view_*` for the
principal, `*.view_*` for the auditor; a bus escort's own runs (the scene puts the caller on the
run when they are an escort), which they check, start, tick riders on and off and close. The
seat chart is the school's (the director's, the principal's, the auditor's). An escort reports an
incident on their own run and records its steps; the director records incidents, closes them,
and records drills and training, which the school's readers read; the director registers and
revokes boarding terminals, which the school's readers list."""

import itertools
from typing import Any

from django.utils import timezone

from shared_apps.transport.models import Run
from tests.matrix import R, Scene
from tests.matrix.riders import (
    ESCORTING,
    MANAGERS,
    READERS,
    caller_if_escort,
    escort_on,
    make_incident,
    make_rider,
    make_terminal,
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


# Terminals' device names, unique in a school whatever scene asks.
_TERMINALS = itertools.count(1)


def a_terminal(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    terminal, _key = make_terminal(scene.school, f"page-terminal-{next(_TERMINALS)}")
    return {"pk": terminal.pk}


def an_incident(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": make_incident(scene.school, caller_if_escort(scene.school)).pk}


def an_incident_done(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": make_incident(scene.school, steps_done=True).pk}


SCHOOL_PAGES: Pages = {
    "riders:today": Declared(READERS | {R.ESCORT}),
    "riders:trip": Declared(READERS | {R.ESCORT}, a_trip),
    "riders:check": Declared(ESCORTING, a_trip),
    "riders:start": Declared(ESCORTING, a_trip),
    "riders:passage": Declared(ESCORTING, a_trip_under_way),
    "riders:close": Declared(ESCORTING, a_trip_under_way),
    "riders:chart": Declared(READERS, a_trip),
    "riders:report": Declared(ESCORTING, a_trip),
    "riders:incidents": Declared(READERS | {R.ESCORT}),
    "riders:incident-add": Declared(MANAGERS),
    "riders:incident": Declared(READERS | {R.ESCORT}, an_incident),
    "riders:incident-step": Declared(ESCORTING, an_incident),
    "riders:incident-close": Declared(MANAGERS, an_incident_done),
    "riders:drills": Declared(READERS),
    "riders:drill-add": Declared(MANAGERS),
    "riders:training": Declared(READERS),
    "riders:training-add": Declared(MANAGERS),
    "riders:terminals": Declared(READERS),
    "riders:terminal-add": Declared(MANAGERS),
    "riders:terminal-revoke": Declared(MANAGERS, a_terminal),
}
