-- Houqin: once, when upgrading a database set up before houqin_owner existed, when houqin_app
-- owned the database, the school schemas and every business table (and could therefore disable
-- the audit triggers). Run as a superuser, services stopped, in this order:
--
--   1. bootstrap.sql                 (creates houqin_owner and houqin_migrator; sets the rights)
--   2. this file                     (the objects houqin_app owns now belong to houqin_owner)
--   3. manage.py migrate_schools     (as houqin_migrator: the new trigger and provisioning
--                                     functions, every school re-wired)
--   4. trail_ownership.sql           (the trail and its functions to houqin_trail)
--
--   sudo -u postgres psql -d houqin -f deploy/postgres/app_owner_upgrade.sql

\set ON_ERROR_STOP on

BEGIN;

REASSIGN OWNED BY houqin_app TO houqin_owner;

-- Default privileges cover what is created from now on; the application gets the same rights on
-- what exists already, and nothing on what belongs to houqin_trail.
DO $$
DECLARE
    object record;
BEGIN
    FOR object IN
        SELECT nspname FROM pg_namespace WHERE nspowner = 'houqin_owner'::regrole
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO houqin_app', object.nspname);
    END LOOP;
    FOR object IN
        SELECT c.oid::regclass AS relation, c.relkind FROM pg_class c
        WHERE c.relowner = 'houqin_owner'::regrole AND c.relkind IN ('r', 'p', 'S')
    LOOP
        IF object.relkind = 'S' THEN
            EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE %s TO houqin_app',
                           object.relation);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %s TO houqin_app',
                           object.relation);
        END IF;
    END LOOP;
END $$;

COMMIT;
