"""A published plan is never changed, whatever writes to the table (the admin, a script, a bug):
the database refuses any change to a published or superseded plan other than superseding it, and
any change to the entries of a plan that is not a draft."""

from django.db import migrations

FROZEN_SQL = r"""
CREATE OR REPLACE FUNCTION public.standards_plan_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moving text[] := ARRAY['status', 'superseded_at', 'superseded_by_id'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'meal plan % is %: it cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - moving) IS DISTINCT FROM (to_jsonb(OLD) - moving)
       OR NOT (NEW.status = OLD.status
               OR (OLD.status = 'published' AND NEW.status = 'superseded'))
       OR (OLD.status = 'superseded'
           AND (to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD))) THEN
        RAISE EXCEPTION 'meal plan % is %: it cannot be changed', OLD.id, OLD.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION public.standards_plan_entry_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM public.standards_mealplan p WHERE p.id = OLD.plan_id AND p.status <> 'draft'
    ) THEN
        RAISE EXCEPTION 'meal plan % is not a draft: its entries cannot be changed', OLD.plan_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
        SELECT 1 FROM public.standards_mealplan p WHERE p.id = NEW.plan_id AND p.status <> 'draft'
    ) THEN
        RAISE EXCEPTION 'meal plan % is not a draft: its entries cannot be changed', NEW.plan_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER standards_plan_frozen
    BEFORE UPDATE OR DELETE ON public.standards_mealplan
    FOR EACH ROW EXECUTE FUNCTION public.standards_plan_frozen();
CREATE OR REPLACE TRIGGER standards_plan_entry_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON public.standards_mealplanentry
    FOR EACH ROW EXECUTE FUNCTION public.standards_plan_entry_frozen();
"""

UNDO_SQL = """
DROP TRIGGER IF EXISTS standards_plan_entry_frozen ON public.standards_mealplanentry;
DROP TRIGGER IF EXISTS standards_plan_frozen ON public.standards_mealplan;
DROP FUNCTION IF EXISTS public.standards_plan_entry_frozen();
DROP FUNCTION IF EXISTS public.standards_plan_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunSQL(FROZEN_SQL, UNDO_SQL)]
