"""Releases: schools at the target are skipped with one query; the others get the release's SQL,
computed once, one transaction each; a failing school is reported and left as it was; a re-run
resumes. Migrations that run Python code go through Django's migrate."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared_apps.audit.triggers import missing_triggers
from tenants import provisioning, releases
from tenants.models import SchemaTemplate, School, SchoolMigration
from tenants.provisioning import code_fingerprint, fingerprint_of
from tenants.services import school_create
from tests.factories import SETUP


def _unapply_feedback(schema_name: str, *, keep_table: bool = False) -> None:
    """Feedback's migrations unapplied in `schema_name` (its table, and its triggers)."""
    with connection.cursor() as cursor:
        schema = connection.ops.quote_name(schema_name)
        if not keep_table:
            cursor.execute(f"DROP TABLE {schema}.feedback_feedback CASCADE")
        cursor.execute(f"DELETE FROM {schema}.django_migrations WHERE app = 'feedback'")


FEEDBACK = {("feedback", "0001_initial"), ("feedback", "0002_audit_triggers")}


def _set_back(school: School, *, keep_table: bool = False, to: str = "") -> None:
    """Make `school` behind: feedback's migrations unapplied, `to` its recorded fingerprint."""
    _unapply_feedback(school.schema_name, keep_table=keep_table)
    School.objects.filter(pk=school.pk).update(migration_fingerprint=to)


def _previous_release() -> str:
    """The template as the previous release left it (feedback's migrations not yet there);
    returns that release's fingerprint."""
    _unapply_feedback(provisioning.TEMPLATE_SCHEMA)
    previous = fingerprint_of(provisioning.code_migrations() - FEEDBACK)
    SchemaTemplate.objects.filter(pk=1).update(fingerprint=previous)
    return previous


def _has_table(school: School, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            [school.schema_name, table],
        )
        return cursor.fetchone() is not None


def test_nothing_to_do_costs_one_query(school_a, school_b):
    School.objects.update(migration_fingerprint=code_fingerprint())
    with CaptureQueriesContext(connection) as queries:
        assert releases.migrate_schools(workers=1) == []
    assert len(queries) == 1


def test_a_school_behind_is_migrated_in_one_transaction_and_recorded(school_a, school_b):
    School.objects.update(migration_fingerprint=code_fingerprint())
    _set_back(school_b, to=_previous_release())
    outcomes = releases.migrate_schools(workers=1)
    assert [(o.schema_name, o.status, o.applied, o.method) for o in outcomes] == [
        (
            school_b.schema_name,
            "done",
            ["feedback.0001_initial", "feedback.0002_audit_triggers"],
            "sql",
        )
    ]
    assert _has_table(school_b, "feedback_feedback")
    school_b.refresh_from_db()
    assert school_b.migration_fingerprint == code_fingerprint()
    record = SchoolMigration.objects.across_schools().get(
        school=school_b, target=code_fingerprint()
    )
    assert record.status == "done"
    with schema_context(school_b.schema_name):
        assert missing_triggers(connection) == []


@pytest.mark.slow
def test_a_failing_school_is_left_as_it_was_and_the_others_carry_on(
    school_a, school_b, monkeypatch
):
    """Schools behind the template's migrations too (they record no fingerprint): the script is
    computed against a scratch schema migrated to theirs, and proved against the template."""
    monkeypatch.setattr(releases, "SCRATCH_MIN_SCHOOLS", 2)
    School.objects.update(migration_fingerprint=code_fingerprint())
    _set_back(school_a, keep_table=True)  # re-creating the table will fail
    _set_back(school_b)
    outcomes = {o.schema_name: o for o in releases.migrate_schools(workers=1)}
    assert outcomes[school_a.schema_name].status == "failed"
    assert "already exists" in outcomes[school_a.schema_name].error
    assert outcomes[school_b.schema_name].status == "done"
    assert outcomes[school_b.schema_name].method == "sql"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {school_a.schema_name}.django_migrations WHERE app = 'feedback'"
        )
        assert cursor.fetchone()[0] == 0  # nothing of the failed attempt was kept
    failed = SchoolMigration.objects.across_schools().get(
        school=school_a, target=code_fingerprint()
    )
    assert failed.status == "failed"
    # Mend the school and run again: only it is visited, and it succeeds.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {school_a.schema_name}.feedback_feedback CASCADE")
    again = releases.migrate_schools(workers=1)
    # One school behind at its migrations: Django's migrate, no scratch schema.
    assert [(o.schema_name, o.status, o.method) for o in again] == [
        (school_a.schema_name, "done", "django")
    ]


def test_verify_corrects_recorded_fingerprints(school_a, school_b):
    School.objects.update(migration_fingerprint="stale")
    assert releases.schools_verify() >= 2
    assert set(School.objects.values_list("migration_fingerprint", flat=True)) == {
        code_fingerprint()
    }


def test_new_schools_are_recorded_at_the_target(db):
    school = school_create(actor=SETUP, code="400001", name="新校", kind="primary")
    assert school.migration_fingerprint == code_fingerprint()
    assert school.pk not in [pk for pk, _schema, _fp in releases.schools_behind(code_fingerprint())]


@pytest.mark.slow
def test_a_release_advances_the_template_by_its_sql_and_the_schools_match_it(school_a, school_b):
    """The release's SQL is computed against the previous release's template and run in it, its
    script stored again, and a school given the same SQL ends with the template's catalog; a
    template migrated from scratch (the test database's, set up as production sets it up) has
    that catalog too."""
    from_scratch = releases.catalog_digest(provisioning.TEMPLATE_SCHEMA)
    School.objects.update(migration_fingerprint=code_fingerprint())
    _set_back(school_b, to=_previous_release())
    outcomes = releases.migrate_schools(workers=1)
    assert [(o.schema_name, o.status, o.method) for o in outcomes] == [
        (school_b.schema_name, "done", "sql")
    ]
    assert SchemaTemplate.objects.get(pk=1).fingerprint == code_fingerprint()
    advanced = releases.catalog_digest(provisioning.TEMPLATE_SCHEMA)
    assert releases.catalog_digest(school_b.schema_name) == advanced
    assert releases.catalog_digest(school_a.schema_name) == advanced
    assert advanced == from_scratch


def test_a_school_where_the_script_comes_out_otherwise_is_left_as_it_was(
    school_a, school_b, monkeypatch
):
    """The script's relations are checked in each school: one where its SQL makes them otherwise
    than in the template (here an index more on the table it makes) keeps nothing of it."""
    School.objects.update(migration_fingerprint=code_fingerprint())
    _set_back(school_b, to=_previous_release())
    run = releases._run

    def otherwise(script: releases.Script, schema_name: str) -> None:
        run(script, schema_name)
        if schema_name == school_b.schema_name:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE INDEX stray ON {schema_name}.feedback_feedback (subject)")

    monkeypatch.setattr(releases, "_run", otherwise)
    outcomes = releases.migrate_schools(workers=1)
    assert [(o.status, o.method) for o in outcomes] == [("failed", "sql")]
    assert "differs from the template" in outcomes[0].error
    assert not _has_table(school_b, "feedback_feedback")


def test_the_script_names_the_relations_it_changes(school_a, school_b):
    School.objects.update(migration_fingerprint=code_fingerprint())
    previous = _previous_release()
    _set_back(school_b, to=previous)
    script = releases._scripts(releases.schools_behind(code_fingerprint()))[previous]
    assert script is not None
    assert script.tables == ("feedback_feedback", "feedback_feedback_id_seq")
    assert script.catalog == releases.catalog_digest(provisioning.TEMPLATE_SCHEMA, script.tables)


def test_verify_names_a_school_whose_catalog_drifted_from_the_template(school_a, school_b):
    """A change a release does not make (a table of its own) is found by comparing every
    school's whole catalog with the template's, as `migrate_schools --verify` does."""
    School.objects.update(migration_fingerprint=code_fingerprint())
    assert releases.schools_drifted() == []
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {school_b.schema_name}.stray (id int)")
    assert releases.schools_drifted() == [school_b.schema_name]
    out, err = StringIO(), StringIO()
    call_command("migrate_schools", verify=True, skip_shared=True, stdout=out, stderr=err)
    assert "1 schools' catalogs differ from the template's" in out.getvalue()
    assert f"{school_b.schema_name}: its catalog differs" in err.getvalue()


def test_only_migrations_that_run_python_in_a_school_leave_the_sql_path(school_a):
    graph = MigrationLoader(connection).graph
    with schema_context(school_a.schema_name):
        assert releases._sql_only(graph.nodes[("feedback", "0001_initial")])
        assert releases._sql_only(graph.nodes[("feedback", "0002_audit_triggers")])
        # RunPython in a school's app: Django's migrate.
        assert not releases._sql_only(graph.nodes[("canteen", "0003_school_calendar")])
        # RunPython in a district app: it does nothing in a school's schema.
        assert releases._sql_only(graph.nodes[("accounts", "0003_account_school_creator_external")])
