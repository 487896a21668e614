"""The default connection as django-tenants extends it: which schema is in force, switching, and
visiting every school without letting the connection grow with the district."""

import operator
from collections.abc import Iterable, Iterator, Sequence
from functools import reduce
from typing import Any, Protocol, cast

from django.db import connection
from django.db.models import Q
from psycopg2 import sql

# PostgreSQL keeps per-connection caches of every catalog entry a connection has touched; with
# schemas x tables entries they grow without bound in a loop over a thousand schools.
RECONNECT_EVERY = 200


class TenantConnection(Protocol):
    schema_name: str
    tenant: Any

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None: ...

    def set_schema(self, schema_name: str, include_public: bool = True) -> None: ...

    def set_schema_to_public(self) -> None: ...


def tenant_db() -> TenantConnection:
    return cast(TenantConnection, connection)


def in_each_schema(
    schema_names: Iterable[str], *, reconnect_every: int = RECONNECT_EVERY
) -> Iterator[str]:
    """Yield each schema name with that schema in force, back on public at the end. Outside a
    transaction the connection is closed every `reconnect_every` schools (the next query opens a
    fresh one)."""
    db = tenant_db()
    try:
        for visited, name in enumerate(schema_names, 1):
            db.set_schema(name)
            yield name
            if visited % reconnect_every == 0 and not connection.in_atomic_block:
                connection.close()
    finally:
        db.set_schema_to_public()


def reconnect_if_idle() -> None:
    """Close the connection when no transaction holds it, so the next query opens a fresh one."""
    if not connection.in_atomic_block:
        connection.close()


def _array_literal(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal of `values` as text, each element quoted (a backslash or a
    double quote inside escaped), so that text from outside, commas and braces included, arrives
    as sent; None is NULL. The elements are escaped one by one only when one of them needs it."""
    items = list(values)
    if not items:
        return "{}"
    texts = list(map(str, items))
    every = "".join(texts)
    if "\\" in every or '"' in every:
        texts = [t.replace("\\", "\\\\").replace('"', '\\"') for t in texts]
    if None not in items:
        return '{"' + '","'.join(texts) + '"}'
    return (
        "{"
        + ",".join("NULL" if v is None else f'"{t}"' for v, t in zip(items, texts, strict=True))
        + "}"
    )


def insert_columns(
    table: str,
    columns: dict[str, tuple[str, Iterable[Any]]],
    *,
    constant: dict[str, Any] | None = None,
    on_conflict_do_nothing: bool = False,
) -> int:
    """Insert many rows in one statement: each column's values travel as one array literal
    (`columns`: name -> (SQL array type, values)), `constant` columns take one value for every
    row. Thousands of rows cost one statement (and one statement-level audit insert), not
    thousands of model instances and placeholders. Returns the number of rows inserted (fewer
    than given when conflicting rows are skipped)."""
    written, _rows = _insert(table, columns, constant, on_conflict_do_nothing, ())
    return written


def insert_columns_returning(
    table: str,
    columns: dict[str, tuple[str, Iterable[Any]]],
    returning: Sequence[str],
    *,
    constant: dict[str, Any] | None = None,
    on_conflict_do_nothing: bool = False,
) -> list[tuple[Any, ...]]:
    """`insert_columns`, returning the `returning` columns of each row it inserted (so a caller
    skipping conflicts learns which rows were new)."""
    _written, rows = _insert(table, columns, constant, on_conflict_do_nothing, returning)
    return rows


def _insert(
    table: str,
    columns: dict[str, tuple[str, Iterable[Any]]],
    constant: dict[str, Any] | None,
    on_conflict_do_nothing: bool,
    returning: Sequence[str],
) -> tuple[int, list[tuple[Any, ...]]]:
    fixed = constant or {}
    names = [*columns, *fixed]
    statement = sql.SQL(
        "INSERT INTO {table} ({names}) SELECT rows.*{constants} FROM unnest({arrays}) AS rows"
        "{skip}{returning}"
    ).format(
        table=sql.Identifier(table),
        names=sql.SQL(", ").join(map(sql.Identifier, names)),
        constants=sql.SQL("").join(sql.SQL(", %s") for _name in fixed),
        arrays=sql.SQL(", ").join(
            sql.SQL("%s::") + sql.SQL(sql_type) for sql_type, _values in columns.values()
        ),
        skip=sql.SQL(" ON CONFLICT DO NOTHING" if on_conflict_do_nothing else ""),
        returning=(
            sql.SQL(" RETURNING ") + sql.SQL(", ").join(map(sql.Identifier, returning))
            if returning
            else sql.SQL("")
        ),
    )
    arrays = [_array_literal(values) for _sql_type, values in columns.values()]
    with connection.cursor() as cursor:
        # As text, so that the audit context's prefix still applies to it.
        cursor.execute(statement.as_string(cursor.connection), [*fixed.values(), *arrays])
        return cursor.rowcount, (cursor.fetchall() if returning else [])


def advisory_xact_locks(namespace: int, names: Iterable[str], *, shared: bool) -> None:
    """Hold PostgreSQL's transaction-level advisory lock `(namespace, hashtext(name))` for each
    of `names` until the transaction ends: shared locks wait only for an exclusive one, an
    exclusive one for any. Taken in one statement, in the names' order, so that two callers never
    wait on each other in a circle. Two names hashing alike share a lock: they only wait more."""
    ordered = sorted(set(names))
    if not ordered:
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {function}(%s, hashtext(name)) "  # noqa: S608 - one of two literal names
            "FROM (SELECT name FROM unnest(%s::text[]) AS name ORDER BY name) AS names",
            [namespace, ordered],
        )


def one_of(field: str, values: Iterable[Any]) -> Q:
    """`field` equal to one of `values`, for a check constraint on a school's table. Written as
    equalities joined by OR rather than `__in`: PostgreSQL prints `IN` on a text column as an
    array of casts that it reads back as another expression, and a school's schema is made by
    replaying what the template's catalog prints (tenants.provisioning)."""
    return reduce(operator.or_, (Q(**{field: value}) for value in values))
