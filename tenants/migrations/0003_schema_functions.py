"""The functions through which a role that may not create schemas makes a school's schema (from
the stored template, or by renaming a pool schema), run as the owner of the school schemas; only
that owner may write the stored template.

The SQL is written out here as tenants/provisioning.py rendered it when this migration was written:
the names it accepts are a school's schema (`s_` and the school code) and a pool schema
(`houqin_pool_` and 16 hex digits), `__houqin_schema__` stands for the schema in the template's
script, and the functions see nothing through the caller's search_path."""

from django.db import migrations

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION public.houqin_schema_from_template(target text, wanted text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
    script text;
BEGIN
    IF target !~ '^s_[a-z0-9]{2,32}$'
       AND target !~ '^houqin_pool_[0-9a-f]{16}$' THEN
        RAISE EXCEPTION 'not a school or pool schema name: %', target
            USING ERRCODE = 'invalid_schema_name';
    END IF;
    IF has_table_privilege(session_user, 'public.tenants_schematemplate', 'INSERT, UPDATE')
       AND NOT pg_has_role(session_user, current_user, 'MEMBER') THEN
        RAISE EXCEPTION 'the school template is writable by %, who may not act as %',
            session_user, current_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT t.script INTO script FROM public.tenants_schematemplate t
    WHERE t.id = 1 AND t.fingerprint = wanted;
    IF script IS NULL THEN
        RAISE EXCEPTION 'no school template built from migrations %', wanted
            USING ERRCODE = 'no_data_found';
    END IF;
    EXECUTE replace(script, '__houqin_schema__', quote_ident(target));
END $body$;

CREATE OR REPLACE FUNCTION public.houqin_schema_take(pooled text, target text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
BEGIN
    IF pooled !~ '^houqin_pool_[0-9a-f]{16}$'
       OR target !~ '^s_[a-z0-9]{2,32}$' THEN
        RAISE EXCEPTION 'not a pool schema and a school schema: %, %', pooled, target
            USING ERRCODE = 'invalid_schema_name';
    END IF;
    EXECUTE format('ALTER SCHEMA %I RENAME TO %I', pooled, target);
END $body$;
"""

DROP_FUNCTIONS_SQL = """
DROP FUNCTION public.houqin_schema_take(text, text);
DROP FUNCTION public.houqin_schema_from_template(text, text);
"""

# Every role but the owner loses every right to write the template.
REVOKE_SQL = r"""
DO $revoke$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'public.tenants_schematemplate'::regclass
          AND a.grantee <> c.relowner AND a.privilege_type <> 'SELECT'
    LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER '
                       'ON public.tenants_schematemplate FROM %s', grantee);
    END LOOP;
END $revoke$;
"""

# Reversed: the rights to write it that the table got when it was made (its owner's default
# privileges) come back.
REGRANT_SQL = r"""
DO $grant$
DECLARE
    granted record;
BEGIN
    FOR granted IN
        SELECT a.privilege_type,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS grantee
        FROM pg_class c
        JOIN pg_default_acl d ON d.defaclrole = c.relowner AND d.defaclobjtype = 'r'
             AND d.defaclnamespace IN (0, c.relnamespace),
        aclexplode(d.defaclacl) a
        WHERE c.oid = 'public.tenants_schematemplate'::regclass
          AND a.grantee <> c.relowner AND a.privilege_type <> 'SELECT'
    LOOP
        EXECUTE format('GRANT %s ON public.tenants_schematemplate TO %s',
                       granted.privilege_type, granted.grantee);
    END LOOP;
END $grant$;
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_provisioning")]

    operations = [
        migrations.RunSQL(FUNCTIONS_SQL, reverse_sql=DROP_FUNCTIONS_SQL),
        migrations.RunSQL(REVOKE_SQL, reverse_sql=REGRANT_SQL),
    ]
