-- Houqin: PostgreSQL roles, the database, and who may do what in it. Run as a superuser
-- (psql 15+) before the first migration:
--
--   read -rs HOUQIN_APP_PASSWORD && export HOUQIN_APP_PASSWORD
--   read -rs HOUQIN_MIGRATOR_PASSWORD && export HOUQIN_MIGRATOR_PASSWORD
--   sudo --preserve-env=HOUQIN_APP_PASSWORD,HOUQIN_MIGRATOR_PASSWORD -u postgres \
--     psql -f deploy/postgres/bootstrap.sql
--
-- or pass them as psql variables (visible in the process list while it runs):
--   sudo -u postgres psql -v app_password='...' -v migrator_password='...' -f bootstrap.sql
--
-- Safe to run again: roles and the database that exist are kept (passwords unchanged), the rights
-- are set again. `-v database=NAME` sets up another database than "houqin" (the test harness and
-- the embedded development server run this file too). deploy/compose.yaml mounts it into
-- docker-entrypoint-initdb.d and supplies the passwords through the container environment.
--
-- Roles:
--   houqin_owner     NOLOGIN. Owns the schemas, tables, sequences and provisioning functions:
--                    everything that fires the audit triggers. Nobody logs in as it.
--   houqin_trail     NOLOGIN. Owns the audit trail and the trigger functions that write it (see
--                    trail_ownership.sql, run after every migration). Nobody logs in as it.
--   houqin_app       LOGIN. The web, worker and beat processes (DATABASE_URL). May read and write
--                    rows, nothing else: it owns nothing, creates nothing, is a member of nothing.
--   houqin_migrator  LOGIN. Migrations only (houqin-migrate.service). A member of houqin_owner
--                    that acts as it from the moment it connects, so what it creates belongs to
--                    houqin_owner.
-- Never grant houqin_owner or houqin_trail (or any superuser-ish attribute) to houqin_app.

\set ON_ERROR_STOP on

\if :{?database}
\else
  \set database houqin
\endif

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'houqin_app') AS create_app,
       NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'houqin_migrator') AS create_migrator
\gset

\if :create_app
  \if :{?app_password}
  \else
    \getenv app_password HOUQIN_APP_PASSWORD
  \endif
  \if :{?app_password}
  \else
    DO $$ BEGIN RAISE EXCEPTION 'set HOUQIN_APP_PASSWORD or pass -v app_password=...'; END $$;
  \endif
  SELECT format('CREATE ROLE houqin_app LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE '
                'NOREPLICATION NOBYPASSRLS', :'app_password')
  \gexec
\endif

\if :create_migrator
  \if :{?migrator_password}
  \else
    \getenv migrator_password HOUQIN_MIGRATOR_PASSWORD
  \endif
  \if :{?migrator_password}
  \else
    DO $$ BEGIN RAISE EXCEPTION 'set HOUQIN_MIGRATOR_PASSWORD or pass -v migrator_password=...'; END $$;
  \endif
  SELECT format('CREATE ROLE houqin_migrator LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB '
                'NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'migrator_password')
  \gexec
\endif

SELECT format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
              'NOBYPASSRLS', name)
FROM unnest(ARRAY['houqin_owner', 'houqin_trail']) AS name
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name)
\gexec

GRANT houqin_owner TO houqin_migrator;
ALTER ROLE houqin_migrator SET role = 'houqin_owner';

SELECT format('CREATE DATABASE %I ENCODING ''UTF8'' TEMPLATE template0', :'database')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database')
\gexec

\connect :"database"

-- Only the application and the migrator connect; nobody else may, and nobody may create
-- temporary objects. The owner role creates the school schemas.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO houqin_app, houqin_migrator;
GRANT CREATE ON DATABASE :"database" TO houqin_owner;

-- From PostgreSQL 15 the public schema belongs to the database's owner. Whoever owns a schema may
-- drop anything in it, the trail included, and whoever may create in a schema a superuser
-- searches may plant a function there for the superuser to run: public belongs to the
-- bootstrapping superuser, only the owner role creates in it.
ALTER SCHEMA public OWNER TO CURRENT_USER;
-- (houqin_app: a database set up before houqin_owner existed gave it CREATE here.)
REVOKE ALL ON SCHEMA public FROM PUBLIC, houqin_app, houqin_migrator;
GRANT USAGE ON SCHEMA public TO houqin_app, houqin_trail;
GRANT USAGE, CREATE ON SCHEMA public TO houqin_owner;

-- What the owner role creates (tables in public, school schemas and their tables, sequences),
-- the application may read and write row by row: no TRUNCATE (it bypasses the row triggers), no
-- REFERENCES, no TRIGGER. trail_ownership.sql narrows this on the trail's own tables.
ALTER DEFAULT PRIVILEGES FOR ROLE houqin_owner GRANT USAGE ON SCHEMAS TO houqin_app;
ALTER DEFAULT PRIVILEGES FOR ROLE houqin_owner
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO houqin_app;
ALTER DEFAULT PRIVILEGES FOR ROLE houqin_owner GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO houqin_app;
