"""The auditors' pages, on the district host."""

from typing import Any

from shared_apps.audit.models import Change, Finding
from tests.factories import make_user, user_with_role
from tests.matrix import AUDITOR, R, Scene
from tests.pages import Declared, Pages


def _history(scene: Scene) -> dict[str, Any]:
    make_user()
    change = Change.objects.across_schools().filter(table_name="accounts_user").latest("id")
    return {"schema": change.schema_name, "table": change.table_name, "row_id": change.row_id}


def _finding(scene: Scene) -> dict[str, Any]:
    finding = Finding.objects.create(
        school=scene.school,
        title="留样不足",
        body="三月两次未留样",
        severity=Finding.Severity.MEDIUM,
        created_by=user_with_role(R.AUDITOR),
    )
    return {"pk": finding.pk}


DISTRICT_PAGES: Pages = {
    "audit:trail": Declared(AUDITOR),
    "audit:history": Declared(AUDITOR, _history),
    "audit:security": Declared(AUDITOR),
    "audit:findings": Declared(AUDITOR),
    "audit:finding-new": Declared(AUDITOR),
    "audit:finding": Declared(AUDITOR, _finding),
    "audit:follow-up": Declared(AUDITOR, _finding),
}
