"""Boarding's pages on a school's host (tenant_apps/dorms/web).

Grants in houqin/roles.py: `dorms.*` for the dorm manager and the logistics director,
`dorms.view_*` for the principal, `*.view_*` for the auditor. Staff (class teachers) ask for
leave and follow their own over the API; the leave page, which lists every leave, is not
theirs: their class's page is (its content follows their class-teacher assignment). Pupils and
class teachers ask for room changes; the dorm manager reviews them, the director approves."""

from datetime import UTC, datetime
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.dorms.services import leave as leaves
from tenant_apps.dorms.services import room_changes
from tests.factories import SETUP
from tests.matrix import R, Scene
from tests.matrix.dorms import ASKERS, MANAGERS, READERS, make_allocation
from tests.matrix.people import make_student
from tests.pages import Declared, Pages


def a_leave(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    student = make_student(scene.school.schema_name)
    with tenant_context(scene.school):
        leave = leaves.leave_request(
            student=student,
            reason="回家",
            starts_at=datetime(2026, 10, 9, 9, tzinfo=UTC),
            ends_at=datetime(2026, 10, 11, 9, tzinfo=UTC),
            actor=SETUP,
        )
    return {"pk": leave.pk}


def a_room_change(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    allocation = make_allocation(scene.school)
    with tenant_context(scene.school):
        change = room_changes.room_change_request(
            student=allocation.student, reason="换房", actor=SETUP
        )
    return {"pk": change.pk}


SCHOOL_PAGES: Pages = {
    "dorms:rooms": Declared(READERS),
    "dorms:roll-call": Declared(READERS),
    "dorms:leaves": Declared(READERS),
    "dorms:leave-decide": Declared(MANAGERS, a_leave),
    # The principal's boarding money; the accountant charges the fees and pays the refunds.
    "dorms:money": Declared(READERS | {R.ACCOUNTANT}),
    "dorms:my-class": Declared(MANAGERS | {R.STAFF}),
    "dorms:class-leave": Declared(MANAGERS | {R.STAFF}),
    "dorms:room-changes": Declared(READERS),
    "dorms:room-change-ask": Declared(MANAGERS | ASKERS),
    "dorms:room-change-review": Declared(MANAGERS, a_room_change),
    "dorms:room-change-decide": Declared(frozenset({R.LOGISTICS_DIRECTOR}), a_room_change),
}
