"""References from a school's tables to the district's rows, checked without a foreign key.

A foreign key from a school's table to a district table (a user, a supplier, a programme) puts
two triggers on the district table for each school: at 1,000 schools, 144,000 triggers on the
users' table alone. PostgreSQL then reads them all into every connection's cache of that table
(about 20 MB a connection at 270 schools), every UPDATE of a user runs through them (7 ms at
270 schools; the first in a connection 0.9 s), making a school takes a lock on the users' table
that holds every sign-in's write until it commits, and each new school's keys take longer than
the last (2.5 s a school at 270 schools, against 0.5 s for the first hundred).

So a school's reference to a district row is checked on the school's side only: two deferred
constraint triggers on the school's table (`public.houqin_refers_to`, an insert and a change of
the column), which find the district row and hold it (FOR KEY SHARE) as a foreign key's check
does. The district's side holds one trigger per referenced table (`public.houqin_district_row_kept`)
that refuses to delete a row, or change its key, while any school's table still refers to it:
it finds those tables by their triggers, so it costs a look in each school only when a district
row is deleted, which the application never does (accounts are deactivated, suppliers
suspended). The functions are made by the migration houqin 0003.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.backends.ddl_references import Statement, Table, TableColumns
from django.db.backends.postgresql.schema import DatabaseSchemaEditor as PostgresSchemaEditor

# (the school table's column, the district table, its key column)
Reference = tuple[str, str, str]

_REFERENCE_SQL = (
    "CREATE CONSTRAINT TRIGGER %(insert_trigger)s AFTER INSERT ON %(table)s "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.%(column)s IS NOT NULL) "
    "EXECUTE FUNCTION public.houqin_refers_to(%(args)s); "
    "CREATE CONSTRAINT TRIGGER %(update_trigger)s AFTER UPDATE OF %(column)s ON %(table)s "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
    "WHEN (NEW.%(column)s IS NOT NULL AND NEW.%(column)s IS DISTINCT FROM OLD.%(column)s) "
    "EXECUTE FUNCTION public.houqin_refers_to(%(args)s); "
    "CREATE OR REPLACE TRIGGER houqin_school_references BEFORE DELETE OR UPDATE OF %(key)s "
    "ON %(target)s FOR EACH ROW EXECUTE FUNCTION public.houqin_district_row_kept(%(key_arg)s)"
)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _trigger_name(column: str, end: str) -> str:
    return f"houqin_ref_{column}_{end}"[:63]


class _Column(TableColumns):
    """The reference's column as `form` writes it (quoted, in a trigger's name, as an argument),
    renamed with the column when Django renames the references of its deferred statements."""

    def __init__(self, table: str, column: str, form: Callable[[str], str]) -> None:
        super().__init__(table, [column])
        self.form = form

    def __str__(self) -> str:
        return self.form(self.columns[0])


class _ReferenceStatement(Statement):
    pass


class DatabaseSchemaEditor(PostgresSchemaEditor):
    def _district_reference(self, field: Any) -> Reference | None:
        """What `field` of a school's table refers to in the district's schema, when it does."""
        if (
            getattr(self.connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)
            == settings.PUBLIC_SCHEMA_NAME
            or field.remote_field is None
            or not field.db_constraint
            or field.many_to_many
        ):
            return None
        target = field.target_field.model._meta
        if target.app_label in _school_app_labels():
            return None
        return (field.column, f"public.{target.db_table}", field.target_field.column)

    def _reference_statement(self, model: Any, reference: Reference) -> _ReferenceStatement:
        column, target, key = reference
        table = model._meta.db_table
        quote = self.quote_name
        return _ReferenceStatement(
            _REFERENCE_SQL,
            table=Table(table, quote),
            column=_Column(table, column, quote),
            insert_trigger=_Column(table, column, lambda c: quote(_trigger_name(c, "i"))),
            update_trigger=_Column(table, column, lambda c: quote(_trigger_name(c, "u"))),
            args=_Column(table, column, lambda c: ", ".join(_literal(v) for v in (c, target, key))),
            key=quote(key),
            target=".".join(quote(part) for part in target.split(".")),
            key_arg=_literal(key),
        )

    def _create_fk_sql(self, model: Any, field: Any, suffix: str) -> Any:
        reference = self._district_reference(field)
        if reference is None:
            return super()._create_fk_sql(model, field, suffix)  # type: ignore[misc]
        return self._reference_statement(model, reference)

    def add_field(self, model: Any, field: Any) -> None:
        if self._district_reference(field) is None:
            super().add_field(model, field)
            return
        # PostgreSQL's editor declares a new column's foreign key inline; a reference to the
        # district goes through `_create_fk_sql` instead (a deferred statement).
        self.sql_create_column_inline_fk = None  # type: ignore[assignment]
        try:
            super().add_field(model, field)
        finally:
            del self.sql_create_column_inline_fk

    def _alter_field(
        self,
        model: Any,
        old_field: Any,
        new_field: Any,
        old_type: Any,
        new_type: Any,
        old_db_params: Any,
        new_db_params: Any,
        strict: bool = False,
    ) -> None:
        """Django finds no foreign key to drop or keep for a reference to the district: when the
        column or the table it refers to changes, its triggers (made, or still to be made at the
        end of the migration) are dropped, and made again for the new field."""
        old = self._district_reference(old_field)
        new = self._district_reference(new_field)
        table = model._meta.db_table
        if old is not None and old != new:
            self.deferred_sql = [
                sql
                for sql in self.deferred_sql
                if not (
                    isinstance(sql, _ReferenceStatement) and sql.references_column(table, old[0])
                )
            ]
            for end in ("i", "u"):
                name = self.quote_name(_trigger_name(old[0], end))
                self.execute(f"DROP TRIGGER IF EXISTS {name} ON {self.quote_name(table)}")
        super()._alter_field(  # type: ignore[misc]  # not in django-stubs
            model, old_field, new_field, old_type, new_type, old_db_params, new_db_params, strict
        )
        # Django made the new triggers itself (`_create_fk_sql`) when the old field was no
        # reference to the district.
        if new is not None and old is not None and old != new:
            self.execute(self._reference_statement(model, new))


def _school_app_labels() -> frozenset[str]:
    from django.apps import apps

    return frozenset(
        config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS
    )
