-- Houqin: lend the audit trail to the migrator for one release whose migrations change the trail's
-- tables or trigger functions (its notes say so; otherwise houqin-migrate fails with "must be
-- owner"). Run as a superuser, then houqin-migrate, then trail_ownership.sql, which takes the trail
-- back:
--
--   sudo -u postgres psql -d houqin -f deploy/postgres/trail_lend.sql
--   systemctl start houqin-migrate.service
--   sudo -u postgres psql -d houqin -f deploy/postgres/trail_ownership.sql
--
-- While lent, the application still cannot touch the trail (it is no member of houqin_owner), and
-- the web and worker refuse to start (the trail check sees its owner own the tables it records).

\set ON_ERROR_STOP on

BEGIN;
ALTER TABLE public.audit_change OWNER TO houqin_owner;
ALTER TABLE public.audit_securityevent OWNER TO houqin_owner;
ALTER FUNCTION public.houqin_audit_rows() OWNER TO houqin_owner;
ALTER FUNCTION public.houqin_append_only() OWNER TO houqin_owner;
COMMIT;
