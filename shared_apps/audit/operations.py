"""The migration operation that attaches the audit trail's triggers to tables.

Every table that records business rows gets its three statement-level triggers (insert, update,
delete) from a migration: the one that creates the table, or one that follows it. Django's and the
libraries' tables, and the platform's own, are wired by the audit app's migrations; every other
app wires its own. A migration that changes what the trail redacts from a table re-wires it, and
names the wiring it replaces (`previous`) so that it can be reversed.

Migrations import this module, so what an operation does with given arguments never changes: a
migration means today what it meant when it was written. It imports nothing of the application.
The trail's check (shared_apps/audit/triggers.py) compares what the migrations installed with
what the models say, and web and worker refuse to start while they differ.
"""

from typing import Any

from django.db import router
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from typing_extensions import override

# (trigger name, event, transition tables) for each of the three triggers.
_TRIGGERS = (
    ("houqin_audit_insert", "INSERT", "NEW TABLE AS new_rows"),
    ("houqin_audit_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("houqin_audit_delete", "DELETE", "OLD TABLE AS old_rows"),
)
_CREATE_SQL = (
    "CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} REFERENCING {refs} "
    "FOR EACH STATEMENT EXECUTE FUNCTION public.houqin_audit_rows({args})"
)
_DROP_SQL = "DROP TRIGGER IF EXISTS {name} ON {table}"

# table -> the arguments its triggers pass the trail's function: the primary key column, then the
# columns the trail never copies.
Wiring = dict[str, list[str]]


class AuditTriggers(Operation):
    """Attach the trail's triggers to `tables` in the schema being migrated, when the router lets
    `app_label` (by default the migration's app) migrate there. Reversed, the tables named in
    `previous` get their previous wiring back and the others lose their triggers."""

    reversible = True
    reduces_to_sql = True

    def __init__(
        self, tables: Wiring, *, previous: Wiring | None = None, app_label: str | None = None
    ) -> None:
        unknown = set(previous or {}) - set(tables)
        if unknown:
            raise ValueError(f"previous wiring of tables this operation does not wire: {unknown}")
        self.tables = tables
        self.previous = previous or {}
        self.app_label = app_label

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {"tables": self.tables}
        if self.previous:
            kwargs["previous"] = self.previous
        if self.app_label:
            kwargs["app_label"] = self.app_label
        return (self.__class__.__qualname__, [], kwargs)

    @override
    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    @override
    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if self._allowed(app_label, schema_editor):
            for table, args in self.tables.items():
                self._wire(schema_editor, table, args)

    @override
    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if not self._allowed(app_label, schema_editor):
            return
        for table in self.tables:
            if table in self.previous:
                self._wire(schema_editor, table, self.previous[table])
            else:
                for name, _event, _refs in _TRIGGERS:
                    qualified = self._qualified(schema_editor, table)
                    schema_editor.execute(_DROP_SQL.format(name=name, table=qualified))

    def describe(self) -> str:
        return f"Audit triggers on {', '.join(self.tables)}"

    @property
    def migration_name_fragment(self) -> str:
        return "audit_triggers"

    def _allowed(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor) -> bool:
        alias = schema_editor.connection.alias
        return bool(router.allow_migrate(alias, self.app_label or app_label))

    @staticmethod
    def _qualified(schema_editor: BaseDatabaseSchemaEditor, table: str) -> str:
        schema = schema_editor.connection.schema_name  # type: ignore[attr-defined]
        return f"{schema_editor.quote_name(schema)}.{schema_editor.quote_name(table)}"

    def _wire(self, schema_editor: BaseDatabaseSchemaEditor, table: str, args: list[str]) -> None:
        quoted = ", ".join("'{}'".format(arg.replace("'", "''")) for arg in args)
        qualified = self._qualified(schema_editor, table)
        for name, event, refs in _TRIGGERS:
            schema_editor.execute(
                _CREATE_SQL.format(name=name, event=event, table=qualified, refs=refs, args=quoted)
            )
