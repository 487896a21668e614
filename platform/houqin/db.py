"""The default connection as django-tenants extends it: which schema is in force, switching, and
visiting every school without letting the connection grow with the district."""

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, cast

from django.db import connection

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
