"""The trail check: run at the start of every web and worker process (`houqin.startup`), by
`manage.py check --deploy --database default`, and by the readiness check (`/healthz`). A process
that cannot vouch for the trail does not serve."""

from typing import Any

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django_tenants.utils import get_public_schema_name, get_tenant_model

from shared_apps.audit import triggers

# Tables named per schema in a message; the rest are counted.
_SHOWN = 5
HINT = (
    "See deploy/README.md, 'The audit trail's roles'. A table's triggers come from its app's "
    "migrations (shared_apps.audit.operations.AuditTriggers): a new table, or a change of what "
    "the trail redacts from one, needs a migration that wires it."
)


def trail_problems() -> list[str]:
    """Everything that keeps the trail from recording every change: its functions and owners, the
    connected role owning tables that fire the triggers, and every tracked table in the public
    schema and every school's whose triggers are missing, disabled or wired otherwise."""
    schools = get_tenant_model().objects.values_list("schema_name", flat=True)
    schemas = [get_public_schema_name(), *schools]
    problems = triggers.function_problems()
    owned: dict[str, list[str]] = {}
    for schema, table in triggers.tables_owned_by_connected_role(schemas):
        owned.setdefault(schema, []).append(table)
    for schema, tables in owned.items():
        problems.append(
            f"the connected role owns tables that fire the audit triggers in {schema}: "
            f"{_some(tables)}"
        )
    unwired: dict[str, list[str]] = {}
    for schema, table in triggers.unwired_tables(schemas):
        unwired.setdefault(schema, []).append(table)
    for schema, tables in unwired.items():
        problems.append(f"audit triggers missing or disabled in {schema}: {_some(tables)}")
    return problems


def _some(tables: list[str]) -> str:
    more = len(tables) - _SHOWN
    return ", ".join(tables[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def trail_check(databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    try:
        problems = trail_problems()
    except DatabaseError as exc:
        problems = [f"the trail could not be checked: {exc}".strip()]
    return [
        checks.Error(
            problem,
            hint=HINT,
            id="audit.E001",
        )
        for problem in problems
    ]
