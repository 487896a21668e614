"""School schemas from the template: the same structure as running every migration, refused
when out of date, and handed out from a warm pool."""

from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from houqin.devstack import APP_ROLE
from houqin.roles import Role
from tenants import provisioning
from tenants.models import PoolSchema, SchemaTemplate, schema_name_for
from tenants.routing import school_host
from tenants.services import school_create
from tests.conftest import OWNER_ROLE, HostClient
from tests.factories import SETUP, user_with_role


def _describe(schema: str) -> dict[str, Any]:
    """Everything the catalog says about a schema's tables, with the schema's name blanked."""
    queries = {
        "columns": """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                   -- The column's place among the live ones (a dropped column leaves a gap in
                   -- attnum that the replayed script has no reason to keep).
                   row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped""",
        "constraints": """
            SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s""",
        "indexes": """
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
            WHERE n.nspname = %s""",
        "triggers": """
            SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND NOT t.tgisinternal""",
        "migrations": "SELECT app, name FROM {schema}.django_migrations",
    }
    described: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = pg_catalog")
        for key, sql in queries.items():
            cursor.execute(sql.format(schema=connection.ops.quote_name(schema)), [schema])
            rows = [tuple(str(v).replace(schema, "<schema>") for v in row) for row in cursor]
            described[key] = sorted(rows)
        cursor.execute("SET LOCAL search_path = public")
    return described


@pytest.mark.slow
def test_an_out_of_date_template_is_rebuilt_and_a_school_from_it_is_what_the_migrations_make(db):
    """One migration run for three things: the template, out of date, is rebuilt from every
    migration before use; the pool schemas made from the old one are dropped; and a school made
    from it has the structure of a schema those migrations made (the rebuilt template itself,
    which the migrations made and nothing else touched). Rebuilt by the role that owns what the
    migrations make, as a release rebuilds it: the provisioning functions read it as that role."""
    _act_as(OWNER_ROLE)
    provisioning.pool_refill(size=1)
    PoolSchema.objects.update(fingerprint="f" * 64)
    SchemaTemplate.objects.filter(pk=1).update(fingerprint="f" * 64)
    provisioning._template = None
    with mock.patch.object(
        provisioning, "_migrate_into", wraps=provisioning._migrate_into
    ) as migrate_into:
        template = provisioning.current_template()
    migrate_into.assert_called_once_with(provisioning.TEMPLATE_SCHEMA)
    assert template.fingerprint == provisioning.code_fingerprint()
    assert SchemaTemplate.objects.get(pk=1).fingerprint == provisioning.code_fingerprint()
    assert not PoolSchema.objects.exists()

    school = school_create(actor=SETUP, code="300001", name="结构比对学校", kind="primary")
    migrated = _describe(provisioning.TEMPLATE_SCHEMA)
    provisioned = _describe(school.schema_name)
    assert migrated["columns"], "the template has no tables"
    for key in migrated:
        assert provisioned[key] == migrated[key], key


def test_a_new_schools_identity_columns_continue_after_the_copied_rows(db, in_school):
    school = school_create(actor=SETUP, code="300002", name="序列学校", kind="primary")
    with in_school(school), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now()) "
            "RETURNING id"
        )
        new_id = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM django_migrations WHERE app <> 'x'")
        assert new_id > cursor.fetchone()[0]


def test_a_template_from_other_migrations_is_refused(db):
    with pytest.raises(provisioning.TemplateOutOfDate):
        provisioning.schema_from_template(provisioning.Template("0" * 64), "s_300003")


def test_a_new_school_takes_a_ready_schema_from_the_pool(db):
    assert provisioning.pool_refill(size=2) == 2
    assert provisioning.pool_refill(size=2) == 0
    pooled = set(PoolSchema.objects.values_list("schema_name", flat=True))
    with mock.patch("tenants.provisioning.schema_from_template") as from_template:
        school = school_create(actor=SETUP, code="300004", name="池中学校", kind="junior")
    from_template.assert_not_called()
    assert PoolSchema.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(pooled)])
        assert len(cursor.fetchall()) == 1
    principal = user_with_role(Role.PRINCIPAL, school)
    response = HostClient(school_host(school.code), principal).post(
        "/api/v1/feedback/",
        {"category": "praise", "subject": "第一条", "body": "新学校"},
        format="json",
    )
    assert response.status_code == 201


def _act_as(role: str) -> None:
    """The rest of the test's transaction runs as `role`."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")


def _owner(schema: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s", [schema]
        )
        return str(cursor.fetchone()[0])


def test_the_app_role_makes_schools_it_does_not_own_from_the_template_and_the_pool(db):
    _act_as(APP_ROLE)
    from_template = school_create(actor=SETUP, code="300005", name="应用建校", kind="primary")
    assert provisioning.pool_refill(size=1) == 1
    with mock.patch("tenants.provisioning.schema_from_template") as from_script:
        from_pool = school_create(actor=SETUP, code="300006", name="池中建校", kind="primary")
    from_script.assert_not_called()
    for school in (from_template, from_pool):
        assert _owner(school.schema_name) == "houqin_owner"
        principal = user_with_role(Role.PRINCIPAL, school)
        response = HostClient(school_host(school.code), principal).post(
            "/api/v1/feedback/", {"category": "praise", "subject": "新", "body": "校"}
        )
        assert response.status_code == 201, response.content


def test_the_app_role_is_told_to_wait_for_a_template_it_may_not_build(db):
    SchemaTemplate.objects.filter(pk=1).update(fingerprint="f" * 64)
    provisioning._template = None
    _act_as(APP_ROLE)
    with pytest.raises(provisioning.TemplateOutOfDate):
        school_create(actor=SETUP, code="300007", name="等待模板", kind="primary")


def _from_template(name: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT public.houqin_schema_from_template(%s, %s)", [name, "0" * 64])


@pytest.mark.parametrize("name", [schema_name_for("ab"), schema_name_for("3101010001" * 3)])
def test_the_provisioning_functions_take_the_names_the_code_makes(db, name):
    """The functions' SQL is written out in their migration: the names they accept are still the
    ones the code gives a school's schema and a pool schema (refused only for the template)."""
    for accepted in (name, f"{provisioning.POOL_PREFIX}{'0123456789abcdef'}"):
        with pytest.raises(DatabaseError, match="no school template built from migrations"):
            _from_template(accepted)
    for refused in ("public", "s_AB", f"{name}; DROP SCHEMA public", "houqin_pool_xyz"):
        with pytest.raises(DatabaseError, match="not a school or pool schema name"):
            _from_template(refused)


def _privileges() -> tuple[bool, bool, bool]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, 'public.tenants_schematemplate', 'SELECT'), "
            "has_table_privilege(%s, 'public.tenants_schematemplate', 'INSERT, UPDATE, DELETE'), "
            "to_regprocedure('public.houqin_schema_from_template(text, text)') IS NOT NULL",
            [APP_ROLE, APP_ROLE],
        )
        return cursor.fetchone()


def test_the_provisioning_functions_migration_reverses(db):
    """Reversed, the functions go and the template is writable as its owner's default privileges
    made it; applied again, the functions are back and only the owner may write it. The
    migration alone, its SQL both ways (migrating the database back to before it would reverse
    and re-apply every later migration too, minutes of work that prove nothing more here)."""
    loader = MigrationLoader(connection)
    key = ("tenants", "0003_schema_functions")
    migration = loader.graph.nodes[key]
    assert _privileges() == (True, False, True)
    with connection.schema_editor() as editor:
        migration.unapply(loader.project_state(key, at_end=True), editor)
    assert _privileges() == (True, True, False)
    with connection.schema_editor() as editor:
        migration.apply(loader.project_state(key, at_end=False), editor)
    assert _privileges() == (True, False, True)
