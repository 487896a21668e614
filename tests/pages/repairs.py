"""The repair desk's pages on a school's host (tenant_apps/repairs/web).

Grants in houqin/roles.py: every member reports faults and follows, photographs, cancels,
confirms and rates, and reopens their own requests (`:own`); the repair technicians work the
requests of their teams (and read the whole desk); the logistics director runs the desk; the
principal approves major work; the auditor reads every request. The director's configuration
(policy, teams, dispatch rules, scorecards, maintenance plans) is read by the principal, the
technicians, the asset keeper and the auditor, and changed by the director; the technicians record
meter readings. A request a page shows is the
caller's own (tests.matrix.repairs.make_request: the last account made is the caller's), with a
team of every technician of the school, the caller among them when they are one."""

from collections.abc import Callable
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.repairs.services import work
from tests.factories import SETUP
from tests.matrix import AUDITOR, EVERY_SCHOOL_ROLE, R, Scene
from tests.matrix.repairs import (
    DESK,
    READERS,
    WORKERS,
    S,
    make_asset,
    make_plan,
    make_request,
    make_room,
    make_team,
)
from tests.pages import Declared, Pages


def request_in(status: str) -> Callable[[Scene], dict[str, Any]]:
    def build(scene: Scene) -> dict[str, Any]:
        return {"pk": make_request(scene.school, status).pk}

    return build


def an_asset(scene: Scene) -> dict[str, Any]:
    return {"pk": make_asset(scene.school).pk}


def a_team(scene: Scene) -> dict[str, Any]:
    return {"pk": make_team(scene.school).pk}


def a_rule(scene: Scene) -> dict[str, Any]:
    team = make_team(scene.school)
    with tenant_context(scene.school):
        # In a building of its own: the school may route electric faults anywhere already.
        rule = work.rule_create(
            category="electric", team=team, building=make_room(scene.school).building, actor=SETUP
        )
    return {"pk": rule.pk}


def a_meter_plan(scene: Scene) -> dict[str, Any]:
    return {"pk": make_plan(scene.school).pk}


SCHOOL_PAGES: Pages = {
    "repairs:mine": Declared(EVERY_SCHOOL_ROLE),
    "repairs:report": Declared(EVERY_SCHOOL_ROLE),
    "repairs:desk": Declared(DESK),
    "repairs:work": Declared(WORKERS),
    "repairs:asset": Declared(READERS, an_asset),
    "repairs:policy": Declared(READERS),
    "repairs:policy-edit": Declared(DESK),
    "repairs:teams": Declared(READERS),
    "repairs:team-add": Declared(DESK),
    "repairs:team-edit": Declared(DESK, a_team),
    "repairs:rules": Declared(READERS),
    "repairs:rule-add": Declared(DESK),
    "repairs:rule-delete": Declared(DESK, a_rule),
    "repairs:scorecards": Declared(READERS),
    "repairs:scorecard-add": Declared(DESK),
    "repairs:plans": Declared(READERS),
    "repairs:plan-add": Declared(DESK),
    "repairs:plan-meter": Declared(WORKERS, a_meter_plan),
    "repairs:request": Declared(EVERY_SCHOOL_ROLE | AUDITOR, request_in(S.SUBMITTED)),
    "repairs:photo": Declared(EVERY_SCHOOL_ROLE, request_in(S.SUBMITTED)),
    "repairs:cancel": Declared(EVERY_SCHOOL_ROLE, request_in(S.SUBMITTED)),
    "repairs:confirm": Declared(EVERY_SCHOOL_ROLE, request_in(S.COMPLETED)),
    "repairs:reopen": Declared(EVERY_SCHOOL_ROLE, request_in(S.COMPLETED)),
    "repairs:dispatch": Declared(DESK, request_in(S.SUBMITTED)),
    "repairs:extend": Declared(DESK, request_in(S.ASSIGNED)),
    "repairs:approve": Declared(frozenset({R.PRINCIPAL}), request_in(S.AWAITING_APPROVAL)),
    "repairs:accept": Declared(WORKERS, request_in(S.ASSIGNED)),
    "repairs:reject": Declared(WORKERS, request_in(S.ASSIGNED)),
    "repairs:start": Declared(WORKERS, request_in(S.ACCEPTED)),
    "repairs:complete": Declared(WORKERS, request_in(S.IN_PROGRESS)),
}
