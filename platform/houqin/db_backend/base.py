"""django-tenants' PostgreSQL backend, without the work Houqin does not need on every switch.

Content types live in the public schema only (one table for the centre and every school), so the
ContentType cache stays valid across schools: django-tenants' flush of it on every `set_tenant`
is skipped. Switching to the schema already in force keeps the search_path already set, so a
request issues at most one `SET search_path`.
"""

from typing import Any

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
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
