"""The two functions that check a school's references to the district's rows in place of
foreign keys (houqin.db_backend.schema): `houqin_refers_to` on the school's side (the row it
names exists, and is held until the school's transaction ends, as a foreign key's check holds
it), `houqin_district_row_kept` on the district's (a row no school's table refers to may go, or
change its key; one that is referred to may not). Both run as their owner, the owner of the
district's and the schools' tables, see nothing through the caller's search_path, and only
their owner may attach them to a table; the table a trigger names is read as a relation
(`regclass`), never as SQL text.

A reference is (the school table's column, the district table, its key column), the arguments
of the school-side triggers, which the district side reads back from the catalog."""

from django.db import migrations

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION public.houqin_refers_to()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
    held boolean;
BEGIN
    EXECUTE format('SELECT true FROM %s WHERE %I = ($1).%I FOR KEY SHARE',
                   TG_ARGV[1]::regclass, TG_ARGV[2], TG_ARGV[0])
        INTO held USING NEW;
    IF held IS NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its reference "%" to %',
            TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1]
            USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA,
                  TABLE = TG_TABLE_NAME, COLUMN = TG_ARGV[0];
    END IF;
    RETURN NULL;
END $body$;

CREATE OR REPLACE FUNCTION public.houqin_district_row_kept()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
    target text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
    changed boolean;
    source record;
    held boolean;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT ($1).%1$I IS DISTINCT FROM ($2).%1$I', TG_ARGV[0])
            INTO changed USING OLD, NEW;
        IF NOT changed THEN
            RETURN NEW;
        END IF;
    END IF;
    FOR source IN
        SELECT t.tgrelid::regclass AS tbl, (string_to_array(a.args, E'\\000'))[1] AS col
        FROM pg_trigger t, LATERAL (SELECT encode(t.tgargs, 'escape') AS args) a
        WHERE t.tgfoid = 'public.houqin_refers_to()'::regprocedure
          AND t.tgname LIKE 'houqin\_ref\_%\_i'
          AND (string_to_array(a.args, E'\\000'))[2] IN (target, 'public.' || TG_TABLE_NAME)
    LOOP
        EXECUTE format('SELECT true FROM %s WHERE %I = ($1).%I LIMIT 1',
                       source.tbl, source.col, TG_ARGV[0])
            INTO held USING OLD;
        IF held THEN
            RAISE EXCEPTION 'update or delete on table "%" violates the reference of "%" to it',
                TG_TABLE_NAME, source.tbl
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
        END IF;
    END LOOP;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $body$;

-- Only their owner may attach them to a table: they run as their owner.
REVOKE EXECUTE ON FUNCTION public.houqin_refers_to() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION public.houqin_district_row_kept() FROM PUBLIC;
"""

DROP_SQL = """
DROP FUNCTION public.houqin_district_row_kept();
DROP FUNCTION public.houqin_refers_to();
"""


class Migration(migrations.Migration):
    dependencies = [("houqin", "0002_verbose_names")]

    operations = [migrations.RunSQL(FUNCTIONS_SQL, DROP_SQL)]
