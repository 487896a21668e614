"""A school's bus riders on its host, and the rows the tests of riders make.

Grants in houqin/roles.py: `riders.*` for the logistics director, `riders.view_*` for the
principal, `*.view_*` for the auditor."""

from typing import Any

from django_tenants.utils import tenant_context

from shared_apps.transport.models import Run
from tenant_apps.riders import services
from tenant_apps.riders.models import Rider
from tenants.models import School
from tests.factories import SETUP
from tests.matrix import AUDITOR, Built, Operations, R, Scene
from tests.matrix.people import make_student
from tests.matrix.transport import make_licence, make_run

MANAGERS = frozenset({R.LOGISTICS_DIRECTOR})
READERS = MANAGERS | {R.PRINCIPAL} | AUDITOR

SCHOOL_OPERATIONS: Operations = {
    ("GET", "/api/v1/riders/"): READERS,
    ("POST", "/api/v1/riders/"): MANAGERS,
    ("GET", "/api/v1/riders/{id}/"): READERS,
    ("DELETE", "/api/v1/riders/{id}/"): MANAGERS,
    ("GET", "/api/v1/riders/trips/"): READERS,
    ("GET", "/api/v1/riders/trips/{id}/"): READERS,
    ("GET", "/api/v1/riders/trips/{id}/chart/"): READERS,
}
DISTRICT_OPERATIONS: Operations = {}


def make_school_run(*schools: School, escorts: int = 1) -> Run:
    """A run tomorrow on a route that `schools` ride."""
    return make_run(make_licence(schools=schools), escorts=escorts)


def make_rider(school: School, run: Run | None = None) -> Rider:
    run = run or make_school_run(school)
    student = make_student(school.schema_name)
    with tenant_context(school):
        return services.rider_assign(
            student=student, run=run, stop=run.route.stops.first(), actor=SETUP
        )


def build(scene: Scene, method: str, path: str, n: int) -> Built:
    school = scene.school
    assert school is not None
    params: dict[str, Any] = {}
    body: dict[str, Any] | None = None
    if path == "/api/v1/riders/" and method == "POST":
        run = make_school_run(school)
        body = {
            "run": run.pk,
            "student": make_student(school.schema_name).pk,
            "stop": run.route.stops.get(order=1).pk,
        }
    elif path.startswith("/api/v1/riders/trips/{id}/"):
        params["id"] = make_rider(school).trip_id
    elif "{id}" in path:
        params["id"] = make_rider(school).pk
    return params, body
