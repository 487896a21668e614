"""django-tenants' PostgreSQL backend, without the work Houqin does not need on every switch, and
with the audit context given to every transaction.

Content types live in the public schema only (one table for the centre and every school), so the
ContentType cache stays valid across schools: django-tenants' flush of it on every `set_tenant`
is skipped. Switching to the schema already in force keeps the search_path already set, so a
request issues at most one `SET search_path`.

Every statement in a transaction passes `houqin.context.audit_context_wrapper`, which sets the
actor and request id the triggers record when the transaction's settings differ from the context
in force; the connection remembers what the transaction holds, and forgets it when the
transaction ends or rolls back to a savepoint.

The health check of a kept connection, at a request's first query, asks the server only when
the connection has something to say: an idle connection that the server closed (a restart, an
idle timeout, a terminated backend) has its reason, or the end of its stream, waiting to be
read; one idle, outside any transaction, with nothing waiting is taken as usable without a
round trip.

A school's table refers to the district's rows without a foreign key (houqin.db_backend.schema):
its schema editor checks those references with triggers on the school's side.
"""

import select
from typing import Any

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from houqin.context import EMPTY, UNKNOWN, audit_context_wrapper
from houqin.db_backend.schema import DatabaseSchemaEditor


class DatabaseWrapper(TenantDatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit_context = EMPTY
        self.execute_wrappers.append(audit_context_wrapper)

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        unchanged = (
            getattr(self, "schema_name", None) == tenant.schema_name
            and getattr(self, "include_public_schema", None) == include_public
        )
        self.tenant = tenant
        self.schema_name = tenant.schema_name
        self.include_public_schema = include_public
        self.set_settings_schema(self.schema_name)
        if not unchanged:
            self.search_path_set_schemas = None

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        waiting = select.poll()
        waiting.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
        idle = self.connection.get_transaction_status() == TRANSACTION_STATUS_IDLE
        if idle and not waiting.poll(0):
            return True
        usable: bool = super().is_usable()
        return usable

    def init_connection_state(self) -> None:
        super().init_connection_state()
        self.audit_context = EMPTY

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self.audit_context = EMPTY

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self.audit_context = EMPTY

    def _savepoint_rollback(self, sid: str) -> None:
        super()._savepoint_rollback(sid)
        self.audit_context = UNKNOWN
