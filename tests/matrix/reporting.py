"""The reporting app's operations: monthly statements. District host: the district's and any
school's, for the finance officer (`reporting.*`) and auditors (`*.view_*`). A school's host:
its own, for the principal and accountant (`reporting.view_*`) and the district roles that read
statements (district roles hold in every school). A bare GET is the previous month, as JSON."""

from typing import Any

from tenants.models import School
from tests.conftest import SCHOOL_A
from tests.matrix import AUDITOR, Built, Operations, R, Scene

FINANCE = frozenset({R.FINANCE_OFFICER})
DISTRICT_READERS = FINANCE | AUDITOR
SCHOOL_READERS = frozenset({R.PRINCIPAL, R.ACCOUNTANT}) | DISTRICT_READERS

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/statements/school/"): SCHOOL_READERS,
}

DISTRICT_OPERATIONS: Operations = {
    ("GET", "/api/v1/statements/district/"): DISTRICT_READERS,
    ("GET", "/api/v1/statements/schools/{code}/"): DISTRICT_READERS,
}


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    school = scene.school or School.objects.get(code=SCHOOL_A)
    params: dict[str, Any] = {}
    if "{code}" in path:
        params["code"] = school.code
    return params, None
