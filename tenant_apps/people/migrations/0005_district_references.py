"""A school's foreign keys to the district's tables become references checked on the school's
side (houqin.db_backend.schema, whose schema editor makes every new one so): each is dropped,
and its two triggers, and the district table's one, are made as the schema editor makes them.
A schema made since finds nothing to change. The people app carries it because every school
app's tables refer to its people's accounts; it changes the tables of all of them."""

from django.db import migrations

CONVERT_SQL = r"""
DO $convert$
DECLARE
    fk record;
    args text;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS tbl, a.attname AS col,
               ft.relname AS target, fa.attname AS key
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_class ft ON ft.oid = c.confrelid
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.contype = 'f'
          AND t.relnamespace = current_schema()::regnamespace
          AND ft.relnamespace = 'public'::regnamespace
          AND t.relnamespace <> 'public'::regnamespace
        ORDER BY 2, 3
    LOOP
        args := format('%L, %L, %L', fk.col, 'public.' || fk.target, fk.key);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT ON %s DEFERRABLE INITIALLY DEFERRED '
            'FOR EACH ROW WHEN (NEW.%I IS NOT NULL) EXECUTE FUNCTION public.houqin_refers_to(%s)',
            left('houqin_ref_' || fk.col || '_i', 63), fk.tbl, fk.col, args);
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER UPDATE OF %I ON %s DEFERRABLE INITIALLY DEFERRED '
            'FOR EACH ROW WHEN (NEW.%I IS NOT NULL AND NEW.%I IS DISTINCT FROM OLD.%I) '
            'EXECUTE FUNCTION public.houqin_refers_to(%s)',
            left('houqin_ref_' || fk.col || '_u', 63), fk.col, fk.tbl, fk.col, fk.col, fk.col,
            args);
        EXECUTE format(
            'CREATE OR REPLACE TRIGGER houqin_school_references BEFORE DELETE OR UPDATE OF %I '
            'ON public.%I FOR EACH ROW EXECUTE FUNCTION public.houqin_district_row_kept(%L)',
            fk.key, fk.target, fk.key);
    END LOOP;
END $convert$;
"""


class Migration(migrations.Migration):
    # No other school app's migration needs to come first: the foreign keys made before this
    # one runs are converted by it, those made after are made as references by the schema
    # editor.
    dependencies = [
        ("houqin", "0003_district_references"),
        ("people", "0004_student_account_class_teachers"),
    ]

    # Reversed, the references stay checked by their triggers.
    operations = [migrations.RunSQL(CONVERT_SQL, migrations.RunSQL.noop)]
