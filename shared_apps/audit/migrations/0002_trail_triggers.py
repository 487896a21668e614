from django.db import migrations

# The functions as first written: the row function runs as its caller (0004 makes it run as its
# owner, with a fixed search_path).
FUNCTIONS_SQL = r"""
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

# The trail and the security events refuse UPDATE, DELETE and TRUNCATE, whoever asks.
GUARDS_SQL = """
CREATE OR REPLACE TRIGGER audit_change_append_only BEFORE UPDATE OR DELETE ON public.audit_change
    FOR EACH ROW EXECUTE FUNCTION public.houqin_append_only();
CREATE OR REPLACE TRIGGER audit_change_no_truncate BEFORE TRUNCATE ON public.audit_change
    FOR EACH STATEMENT EXECUTE FUNCTION public.houqin_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_change FROM PUBLIC;

CREATE OR REPLACE TRIGGER audit_securityevent_append_only BEFORE UPDATE OR DELETE ON public.audit_securityevent
    FOR EACH ROW EXECUTE FUNCTION public.houqin_append_only();
CREATE OR REPLACE TRIGGER audit_securityevent_no_truncate BEFORE TRUNCATE ON public.audit_securityevent
    FOR EACH STATEMENT EXECUTE FUNCTION public.houqin_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_securityevent FROM PUBLIC;
"""

DROP_SQL = """
DROP TRIGGER audit_securityevent_no_truncate ON public.audit_securityevent;
DROP TRIGGER audit_securityevent_append_only ON public.audit_securityevent;
DROP TRIGGER audit_change_no_truncate ON public.audit_change;
DROP TRIGGER audit_change_append_only ON public.audit_change;
DROP FUNCTION public.houqin_append_only();
DROP FUNCTION public.houqin_audit_rows();
"""


class Migration(migrations.Migration):
    """The trigger functions that write the trail, and the guards that keep it append-only. The
    trail is handed to its own role by deploy/postgres/trail_ownership.sql, run by a superuser.
    Reversed after every table's triggers are gone (the migrations that add them depend on this
    one)."""

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTIONS_SQL + GUARDS_SQL, reverse_sql=DROP_SQL)]
