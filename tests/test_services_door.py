"""Every write goes through the one door (`houqin.door`): each public function of a services
module is a service, taking its actor as a keyword-only `actor: Actor`. Generated from the
installed apps: every app's `services` module (each public module of a `services` package), and
any other module of an app that defines a service (e.g. `tenants.backups`), whose public
functions are then all services. A read, a pure rule or a lock is private to its package, or
lives in selectors or a plain module."""

import importlib
import importlib.util
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date
from types import FunctionType, ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Max

from houqin import context
from houqin.door import Actor, is_service
from shared_apps.accounts.models import User
from shared_apps.audit.models import Change
from shared_apps.subsidies.models import ProgrammeCode
from tenant_apps.canteen.services.daily_close import daily_close_record
from tenant_apps.canteen.tasks import DAILY_CLOSE
from tenant_apps.people.services.eligibility import subsidy_eligibility_create
from tenants.models import School
from tests.factories import make_user, programme_row
from tests.matrix.people import make_student

# The apps whose writes are services (the platform's own app holds the door, not services).
BUSINESS = ("tenants", "shared_apps", "tenant_apps")
# An act only a person does (a leader accompanying a meal) takes the signed-in user itself.
ACTOR_TYPES = (Actor, User)


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def _services_modules(app_name: str) -> list[str]:
    name = f"{app_name}.services"
    if importlib.util.find_spec(name) is None:
        return []
    package = importlib.import_module(name)
    if not hasattr(package, "__path__"):
        return [name]
    return [
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}.")
        if _public(info.name)
    ]


def _functions(module: ModuleType) -> dict[str, FunctionType]:
    """The public functions `module` defines (not those it imports)."""
    return {
        name: obj
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and isinstance(obj, FunctionType)
        and obj.__module__ == module.__name__
    }


def _modules_defining_services(app_name: str) -> list[str]:
    package = importlib.import_module(app_name)
    found = []
    for info in pkgutil.iter_modules(package.__path__, prefix=f"{app_name}."):
        if info.ispkg or not _public(info.name) or info.name.endswith(".services"):
            continue
        module = importlib.import_module(info.name)
        if any(is_service(f) for f in _functions(module).values()):
            found.append(info.name)
    return found


def services_modules() -> list[str]:
    names: list[str] = []
    for config in apps.get_app_configs():
        if config.name.split(".")[0] in BUSINESS:
            names += _services_modules(config.name) + _modules_defining_services(config.name)
    return sorted(names)


SERVICES_MODULES = services_modules()


def test_the_walk_finds_the_services_modules() -> None:
    for name in (
        "tenants.services",
        "shared_apps.accounts.services",
        "shared_apps.procurement.services.tenders",
        "tenant_apps.canteen.services.servings",
        "tenant_apps.orders.services.placing",
        "tenant_apps.people.services.students",
    ):
        assert name in SERVICES_MODULES
    assert not [name for name in SERVICES_MODULES if name.endswith("._common")]


def _problem(function: Callable[..., Any]) -> str | None:
    if not is_service(function):
        return "is not a @service"
    actor = inspect.signature(function, eval_str=True).parameters.get("actor")
    if actor is None or actor.kind is not inspect.Parameter.KEYWORD_ONLY:
        return "takes no keyword-only actor"
    if actor.annotation not in ACTOR_TYPES:
        return f"types its actor {actor.annotation!r}, not Actor"
    if actor.default is not inspect.Parameter.empty:
        return "has a default actor"
    return None


@pytest.mark.parametrize("module_name", SERVICES_MODULES)
def test_every_public_function_of_a_services_module_is_a_service(module_name: str) -> None:
    module = importlib.import_module(module_name)
    functions = _functions(module)
    if ".services" not in module_name:
        # A module of its own that also holds a service (tenants.backups: the restore, beside the
        # backup that only reads): its services are checked, its other functions are not writes.
        functions = {name: f for name, f in functions.items() if is_service(f)}
    problems = {
        name: problem
        for name, function in sorted(functions.items())
        if (problem := _problem(function)) is not None
    }
    assert not problems, problems


def test_the_check_tells_a_service_from_what_is_not() -> None:
    from houqin.door import service

    @service
    def typed(*, note: str, actor: Actor) -> None: ...

    def plain(*, actor: Actor) -> None: ...

    @service
    def loose(*, actor: object = None) -> None: ...

    assert _problem(typed) is None
    assert _problem(plain) == "is not a @service"
    assert _problem(loose) is not None


def _trail_actors(since: int, table_name: str, row_id: int) -> set[int | None]:
    rows = Change.objects.across_schools().filter(
        id__gt=since, table_name=table_name, row_id=str(row_id)
    )
    return set(rows.values_list("actor_id", flat=True))


def _last_change() -> int:
    return Change.objects.across_schools().aggregate(m=Max("id"))["m"] or 0


def test_a_write_from_a_shell_names_its_actor_in_the_trail_and_on_the_row(
    db: Any, school_a: School, in_school: Any
) -> None:
    """No request around it, as from a shell or a command: the trail names the service's
    actor, and so does the row's `created_by`."""
    officer = make_user()
    with in_school(school_a):
        student = make_student(school_a.schema_name)
        since = _last_change()
        period = subsidy_eligibility_create(
            student=student,
            programme=programme_row(ProgrammeCode.NUTRITION_IMPROVEMENT),
            reason="other",
            valid_from=date(2025, 9, 1),
            actor=officer,
        )
        assert period.created_by_id == officer.pk
        assert _trail_actors(since, "people_subsidyeligibility", period.pk) == {officer.pk}


def test_the_nightly_close_acts_for_no_one_whoever_is_in_the_context(
    db: Any, school_a: School, in_school: Any
) -> None:
    someone = make_user()
    with in_school(school_a), context.acting(request_id="queued", actor_id=someone.pk):
        since = _last_change()
        close = daily_close_record(day=date(2025, 3, 3), actor=DAILY_CLOSE)
        assert _trail_actors(since, "canteen_dailyclose", close.pk) == {None}
