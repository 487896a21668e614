from django.db import migrations

# The functions the trail check (shared_apps/audit/triggers.py, TRAIL_FUNCTIONS) expects: the same
# bodies as before, run as their owner, resolving nothing through the caller's search_path.
FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION public.houqin_audit_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
    pk text := TG_ARGV[0];
    redacted text[] := TG_ARGV[1:TG_NARGS - 1];
    actor bigint := NULLIF(current_setting('houqin.actor_id', true), '')::bigint;
    request text := NULLIF(current_setting('houqin.request_id', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(n) ->> pk, NULL,
               to_jsonb(n) - redacted, actor, request
        FROM new_rows n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(n) ->> pk,
               to_jsonb(o) - redacted, to_jsonb(n) - redacted, actor, request
        FROM new_rows n JOIN old_rows o ON (to_jsonb(o) ->> pk) = (to_jsonb(n) ->> pk);
    ELSE
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(o) ->> pk,
               to_jsonb(o) - redacted, NULL, actor, request
        FROM old_rows o;
    END IF;
    RETURN NULL;
END $body$;
CREATE OR REPLACE FUNCTION public.houqin_append_only() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $body$;
"""

# Reversed: the functions as 0002 made them.
PREVIOUS_FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION public.houqin_audit_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    pk text := TG_ARGV[0];
    redacted text[] := TG_ARGV[1:TG_NARGS - 1];
    actor bigint := NULLIF(current_setting('houqin.actor_id', true), '')::bigint;
    request text := NULLIF(current_setting('houqin.request_id', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(n) ->> pk, NULL,
               to_jsonb(n) - redacted, actor, request
        FROM new_rows n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(n) ->> pk,
               to_jsonb(o) - redacted, to_jsonb(n) - redacted, actor, request
        FROM new_rows n JOIN old_rows o ON (to_jsonb(o) ->> pk) = (to_jsonb(n) ->> pk);
    ELSE
        INSERT INTO public.audit_change
            (occurred_at, schema_name, table_name, operation, row_id, before, after,
             actor_id, request_id)
        SELECT now(), TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, to_jsonb(o) ->> pk,
               to_jsonb(o) - redacted, NULL, actor, request
        FROM old_rows o;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.houqin_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


class Migration(migrations.Migration):
    """The trail's functions run as their owner (SECURITY DEFINER) with a fixed search_path: the
    application's role may no longer insert trail rows itself."""

    dependencies = [("audit", "0003_sealed_item_read")]

    operations = [migrations.RunSQL(FUNCTIONS_SQL, reverse_sql=PREVIOUS_FUNCTIONS_SQL)]
