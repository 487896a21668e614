-- Houqin: hand the audit trail to the role nobody logs in as. Run as a superuser after the first
-- migration, and again after any release whose migrations create or change the trail's tables
-- or trigger functions (the web and worker refuse to start until then: `manage.py check
-- --deploy --database default` says why):
--
--   sudo -u postgres psql -d houqin -f deploy/postgres/trail_ownership.sql
--
-- Afterwards:
--   * public.audit_change (row changes) and its trigger function public.houqin_audit_rows()
--     belong to houqin_trail. The function is SECURITY DEFINER with a fixed search_path, so the
--     triggers on every business table write the trail as houqin_trail whoever changed the row;
--     houqin_app may only SELECT the trail: it cannot forge a row, alter or drop one, replace
--     or re-own the function, or disable a trigger (it owns no table that fires one).
--   * public.audit_securityevent (sign-ins, tokens, reads of personal data) also belongs to
--     houqin_trail; houqin_app may SELECT and INSERT there (the application is the only witness
--     of a sign-in), never UPDATE, DELETE or TRUNCATE.
--   * The append-only guard houqin_append_only() belongs to houqin_trail too.
-- The migrator (houqin_owner) keeps nothing here: changing these tables or functions later needs
-- a superuser, which is the point. Safe to run repeatedly.

\set ON_ERROR_STOP on

BEGIN;

ALTER TABLE public.audit_change OWNER TO houqin_trail;
ALTER TABLE public.audit_securityevent OWNER TO houqin_trail;
ALTER FUNCTION public.houqin_audit_rows() OWNER TO houqin_trail;
ALTER FUNCTION public.houqin_append_only() OWNER TO houqin_trail;

REVOKE ALL ON public.audit_change, public.audit_securityevent
    FROM PUBLIC, houqin_app, houqin_migrator, houqin_owner;
REVOKE ALL ON SEQUENCE public.audit_change_id_seq, public.audit_securityevent_id_seq
    FROM PUBLIC, houqin_app, houqin_migrator, houqin_owner;

GRANT SELECT ON public.audit_change TO houqin_app;
GRANT SELECT, INSERT ON public.audit_securityevent TO houqin_app;
GRANT USAGE ON SEQUENCE public.audit_securityevent_id_seq TO houqin_app;

COMMIT;

-- Show the result: owner houqin_trail; houqin_app "r" on audit_change, "ar" on
-- audit_securityevent (a = INSERT, r = SELECT); the two functions owned by houqin_trail.
\dp public.audit_change
\dp public.audit_securityevent
SELECT oid::regprocedure AS function, proowner::regrole AS owner, prosecdef AS security_definer,
       proconfig AS settings
FROM pg_proc WHERE oid IN ('public.houqin_audit_rows()'::regprocedure,
                           'public.houqin_append_only()'::regprocedure);
