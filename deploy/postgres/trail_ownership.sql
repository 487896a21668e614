-- Houqin: make the audit trail append-only for the application.
-- Run as a superuser AFTER the first `migrate_schemas --shared` (i.e. once the
-- tables exist), and again whenever a migration re-creates these tables:
--
--   sudo -u postgres psql -d houqin -f deploy/postgres/trail_ownership.sql
--
-- Afterwards houqin_app can SELECT and INSERT trail rows but cannot UPDATE,
-- DELETE, TRUNCATE, ALTER or DROP them (the table and its sequence belong to
-- the NOLOGIN role houqin_trail; public belongs to the superuser, see
-- bootstrap.sql). Safe to run repeatedly.

\set ON_ERROR_STOP on

BEGIN;

-- Audit trail of data changes.
ALTER TABLE public.audit_change OWNER TO houqin_trail;
REVOKE ALL ON public.audit_change FROM houqin_app, PUBLIC;
GRANT SELECT, INSERT ON public.audit_change TO houqin_app;
GRANT USAGE, SELECT ON SEQUENCE public.audit_change_id_seq TO houqin_app;

-- Security event log.
ALTER TABLE public.audit_securityevent OWNER TO houqin_trail;
REVOKE ALL ON public.audit_securityevent FROM houqin_app, PUBLIC;
GRANT SELECT, INSERT ON public.audit_securityevent TO houqin_app;
GRANT USAGE, SELECT ON SEQUENCE public.audit_securityevent_id_seq TO houqin_app;

COMMIT;

-- Show the result: owner should be houqin_trail, houqin_app only "ar"
-- (a = INSERT, r = SELECT).
\dp public.audit_change
\dp public.audit_securityevent
