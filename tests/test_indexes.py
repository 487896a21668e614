"""No index of ours is the leading part of another index on the same table, in the district's
schema or a school's: the longer index finds every row the shorter would, so the shorter only
costs each write, the disk, and every release that adds a column with a default (PostgreSQL reads
the whole of `pg_index` then, one row an index of every school). A foreign key that leads a
unique constraint or an index is declared `db_index=False`; every foreign key still leads one (a
delete of the row it points to, and a join, would otherwise read the whole table)."""

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models import Model

from tenants.provisioning import TEMPLATE_SCHEMA

pytestmark = pytest.mark.django_db

FIRST_PARTY = ("houqin", "tenants", "shared_apps", "tenant_apps")

# Each plain B-tree index (no expression, no predicate) of the schema, with its key columns and
# operator classes, as arrays that compare by their leading elements.
INDEXES = """
SELECT t.relname, c.relname, i.indisunique,
       string_to_array(i.indkey::text, ' ')::int[], string_to_array(i.indclass::text, ' ')::oid[]
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_am a ON a.oid = c.relam
WHERE t.relnamespace = %s::regnamespace AND a.amname = 'btree'
  AND i.indexprs IS NULL AND i.indpred IS NULL
"""


FOREIGN_KEYS = """
SELECT t.relname, f.conname, f.conkey::int[]
FROM pg_constraint f
JOIN pg_class t ON t.oid = f.conrelid
WHERE f.contype = 'f' AND t.relnamespace = %s::regnamespace
"""


def _our_models() -> list[type[Model]]:
    """Our models; not Django's, guardian's or axes', nor the join tables Django makes for a
    many-to-many field (their index on the first column comes with them)."""
    return [
        model
        for model in apps.get_models()
        if model.__module__.split(".")[0] in FIRST_PARTY and not model._meta.auto_created
    ]


def _ours(query: str, schema: str) -> list[Any]:
    """The rows of `query` in `schema` whose first column names one of our models' tables."""
    ours = {model._meta.db_table for model in _our_models()}
    with connection.cursor() as cursor:
        cursor.execute(query, [schema])
        return [row for row in cursor.fetchall() if row[0] in ours]


def _indexes(schema: str) -> list[tuple[str, str, bool, list[int], list[int]]]:
    return _ours(INDEXES, schema)


def _redundant(schema: str) -> list[str]:
    indexes = _indexes(schema)
    found = []
    for table, name, unique, keys, classes in indexes:
        for other_table, other, other_unique, other_keys, other_classes in indexes:
            if (
                other_table == table
                and other != name
                and not unique
                and other_keys[: len(keys)] == keys
                and other_classes[: len(classes)] == classes
                # Of two plain indexes on the same columns, one is named.
                and (len(other_keys) > len(keys) or other_unique or name > other)
            ):
                found.append(f"{table}: {name} leads {other}")
    return sorted(found)


@pytest.mark.parametrize("schema", ["public", TEMPLATE_SCHEMA])
def test_no_index_is_the_leading_part_of_another(schema: str) -> None:
    assert _redundant(schema) == []


def test_the_check_finds_an_index_another_leads() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX feedback_test_status ON {TEMPLATE_SCHEMA}.feedback_feedback (status)"
        )
        cursor.execute(
            f"CREATE INDEX feedback_test_status_due ON {TEMPLATE_SCHEMA}.feedback_feedback "
            "(status, due_at)"
        )
    assert "feedback_feedback: feedback_test_status leads feedback_test_status_due" in (
        _redundant(TEMPLATE_SCHEMA)
    )


def _unindexed(schema: str) -> list[str]:
    """Our foreign keys whose columns lead no plain B-tree index of their table."""
    leading = {(table, tuple(keys)) for table, _name, _unique, keys, _classes in _indexes(schema)}
    keys = _ours(FOREIGN_KEYS, schema)
    return sorted(
        f"{table}: {name}"
        for table, name, columns in keys
        if not any(
            led_table == table and led[: len(columns)] == tuple(columns)
            for led_table, led in leading
        )
    )


@pytest.mark.parametrize("schema", ["public", TEMPLATE_SCHEMA])
def test_every_foreign_key_leads_an_index(schema: str) -> None:
    assert _unindexed(schema) == []


def test_the_check_finds_a_foreign_key_without_an_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {TEMPLATE_SCHEMA}.feedback_feedback ADD COLUMN checked_by_id bigint "
            "CONSTRAINT feedback_test_checked_by REFERENCES public.accounts_user (id)"
        )
    assert _unindexed(TEMPLATE_SCHEMA) == ["feedback_feedback: feedback_test_checked_by"]


def _dropped() -> set[str]:
    """The indexes the migrations named `…_indexes_led_by_others` drop where they exist (a schema
    made before them)."""
    dropped = set()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (_, name), migration in loader.disk_migrations.items():
        if name.endswith("_indexes_led_by_others"):
            for operation in migration.operations:
                assert isinstance(operation, migrations.RunSQL)
                dropped |= set(re.findall(r'DROP INDEX IF EXISTS "(\w+)"', str(operation.sql)))
    return dropped


def test_a_schema_made_before_loses_each_index_the_models_no_longer_declare() -> None:
    """Each foreign key declared without its index names an index the migrations drop, by the
    name Django gave it, as do the two indexes the models no longer declare."""
    with connection.schema_editor() as editor:
        named = {
            editor._create_index_name(  # type: ignore[attr-defined]
                model._meta.db_table, [field.column], suffix=""
            )
            for model in _our_models()
            for field in model._meta.local_fields
            if field.is_relation and field.deconstruct()[3].get("db_index") is False
        }
    assert _dropped() == named | {"assets_asse_room_id_9b63f2_idx", "canteen_serving_student"}
