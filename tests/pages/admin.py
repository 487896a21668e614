"""The district administrator's pages: schools (district host), and accounts and roles (both
hosts; a school's logistics director's on its own host, read-only for principals and
auditors)."""

from typing import Any

from houqin.roles import Role
from shared_apps.accounts.models import Membership
from tenants.models import SchoolImport
from tests.factories import make_user
from tests.matrix import AUDITOR, DISTRICT_ADMIN, DISTRICT_STAFF, Scene
from tests.pages import Declared, Pages

R = Role
DIRECTOR = frozenset({R.LOGISTICS_DIRECTOR})
# accounts.view_user on a school's host: its leaders, the district administrator, auditors.
ACCOUNT_READERS = frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR}) | DISTRICT_ADMIN | AUDITOR
ACCOUNT_KEEPERS = DIRECTOR | DISTRICT_ADMIN


def _scene_school(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": scene.school.pk}


def _member(scene: Scene) -> dict[str, Any]:
    return {"pk": scene.member().pk}


def _membership(scene: Scene) -> dict[str, Any]:
    member = scene.member()
    return {"pk": Membership.objects.across_schools().get(user=member).pk}


def _school_import(scene: Scene) -> dict[str, Any]:
    done = SchoolImport.objects.create(
        file_name="schools.xlsx",
        total=2,
        task_id=f"matrix-{make_user().pk}",
        created_by=make_user(),
        status=SchoolImport.Status.DONE,
        report={
            "created": 1,
            "exists": 0,
            "ready": 0,
            "errors": 1,
            "rows": [
                {"row": 2, "code": "900001", "status": "created", "messages": [], "reasons": []},
                {"row": 3, "code": "", "status": "error", "messages": ["x"], "reasons": ["y"]},
            ],
        },
    )
    return {"pk": done.pk}


DISTRICT_PAGES: Pages = {
    "schools:list": Declared(DISTRICT_STAFF),
    "schools:school": Declared(DISTRICT_STAFF, _scene_school),
    "schools:suspend": Declared(DISTRICT_ADMIN, _scene_school),
    "schools:reinstate": Declared(DISTRICT_ADMIN, _scene_school),
    "schools:import": Declared(DISTRICT_ADMIN),
    "schools:imports": Declared(DISTRICT_ADMIN | AUDITOR),
    "schools:import-detail": Declared(DISTRICT_ADMIN | AUDITOR, _school_import),
    "accounts:users": Declared(DISTRICT_ADMIN | AUDITOR),
    "accounts:new": Declared(DISTRICT_ADMIN),
    "accounts:user": Declared(DISTRICT_ADMIN | AUDITOR, _member),
    "accounts:grant": Declared(DISTRICT_ADMIN, _member),
    "accounts:password": Declared(DISTRICT_ADMIN, _member),
    "accounts:revoke": Declared(DISTRICT_ADMIN, _membership),
}
SCHOOL_PAGES: Pages = {
    "accounts:users": Declared(ACCOUNT_READERS),
    "accounts:new": Declared(ACCOUNT_KEEPERS),
    "accounts:user": Declared(ACCOUNT_READERS, _member),
    "accounts:grant": Declared(ACCOUNT_KEEPERS, _member),
    "accounts:password": Declared(ACCOUNT_KEEPERS, _member),
    "accounts:revoke": Declared(ACCOUNT_KEEPERS, _membership),
}
