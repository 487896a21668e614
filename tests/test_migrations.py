"""Migrations stand alone: each carries the SQL and the data it applies, so that it means today
what it meant when it was written, and each can be reversed. (That reversing one takes off what
it added: tests/test_audit.py for the triggers, tests/test_provisioning.py for the provisioning
functions.)"""

import ast
from pathlib import Path

import pytest
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"houqin", "tenants", "shared_apps", "tenant_apps", "tests"}
# The one module of the application a migration may import: its operation's SQL never changes.
OPERATIONS = "shared_apps.audit.operations"
MIGRATION_FILES = sorted(
    path
    for folder in ("platform", "tenants", "shared_apps", "tenant_apps", "tests")
    for path in (ROOT / folder).glob("**/migrations*/[0-9]*.py")
)


def _imported(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_every_migration_is_looked_at() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in MIGRATION_FILES}
    assert "shared_apps/audit/migrations/0002_trail_triggers.py" in names
    assert "tenants/migrations/0003_schema_functions.py" in names
    assert "platform/houqin/migrations/0001_idempotency.py" in names


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_migration_imports_no_code_of_the_application(path: Path) -> None:
    """Not the services, the trail's triggers module, provisioning or the seed loaders: only the
    audit operation, and the models module whose callables (a default, a validator, a constraint
    expression) Django's migration state names by their import path."""
    ours = {module for module in _imported(path) if module.split(".")[0] in FIRST_PARTY}
    assert not {m for m in ours if m != OPERATIONS and not m.endswith(".models")}


def test_every_data_and_sql_operation_of_ours_can_be_reversed() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {
        key: migration
        for key, migration in loader.disk_migrations.items()
        if migration.__module__.split(".")[0] in FIRST_PARTY
    }
    assert ("audit", "0006_audit_triggers") in ours
    irreversible = [
        f"{app}.{name}: {operation.describe()}"
        for (app, name), migration in ours.items()
        for operation in migration.operations
        if isinstance(operation, migrations.RunSQL | migrations.RunPython)
        and not operation.reversible
    ]
    assert irreversible == []
