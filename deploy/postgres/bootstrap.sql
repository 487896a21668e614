-- Houqin: one-time PostgreSQL bootstrap. Run ONCE as a superuser (psql 15+):
--
--   read -rs HOUQIN_APP_PASSWORD && export HOUQIN_APP_PASSWORD
--   sudo --preserve-env=HOUQIN_APP_PASSWORD -u postgres psql -f deploy/postgres/bootstrap.sql
--
-- or pass it as a psql variable (visible in the process list while it runs):
--   sudo -u postgres psql -v app_password='...' -f deploy/postgres/bootstrap.sql
--
-- deploy/compose.yaml mounts this file into docker-entrypoint-initdb.d and
-- supplies HOUQIN_APP_PASSWORD through the container environment.
--
-- Creates:
--   houqin_app    LOGIN, not superuser; owns database "houqin" and therefore
--                 may create one schema per school. DATABASE_URL uses it.
--   houqin_trail  NOLOGIN; will own the audit trail tables (see
--                 trail_ownership.sql, run after the first migrate).
-- Never grant houqin_trail (or any superuser-ish attribute) to houqin_app:
-- membership would let the app SET ROLE houqin_trail and rewrite the trail.

\set ON_ERROR_STOP on

\if :{?app_password}
\else
  \getenv app_password HOUQIN_APP_PASSWORD
\endif
\if :{?app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'set HOUQIN_APP_PASSWORD or pass -v app_password=...'; END $$;
\endif

CREATE ROLE houqin_app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE ROLE houqin_trail NOLOGIN
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

CREATE DATABASE houqin OWNER houqin_app ENCODING 'UTF8' TEMPLATE template0;
-- Only the application (and superusers) may connect.
REVOKE ALL ON DATABASE houqin FROM PUBLIC;

\connect houqin

-- From PostgreSQL 15 the public schema belongs to the database owner, i.e.
-- houqin_app. A schema owner may DROP any table in it, including the audit
-- trail, so hand the schema to the bootstrapping superuser and grant the
-- app what migrations need (USAGE, CREATE). School schemas are created, and
-- owned, by houqin_app itself.
ALTER SCHEMA public OWNER TO CURRENT_USER;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO houqin_app;
