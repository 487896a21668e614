"""Releases: schools at the target are skipped with one query; the others are migrated one
transaction each; a failing school is reported and left as it was; a re-run resumes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared_apps.audit.triggers import missing_triggers
from tenants import releases
from tenants.models import School, SchoolMigration
from tenants.provisioning import code_fingerprint
from tenants.services import school_create
from tests.factories import SETUP


def _set_back(school: School, *, keep_table: bool = False) -> None:
    """Make `school` behind: feedback's migrations unapplied (its table, and its triggers)."""
    with connection.cursor() as cursor:
        schema = connection.ops.quote_name(school.schema_name)
        if not keep_table:
            cursor.execute(f"DROP TABLE {schema}.feedback_feedback CASCADE")
        cursor.execute(f"DELETE FROM {schema}.django_migrations WHERE app = 'feedback'")
    School.objects.filter(pk=school.pk).update(migration_fingerprint="")


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
    _set_back(school_b)
    outcomes = releases.migrate_schools(workers=1)
    assert [(o.schema_name, o.status, o.applied) for o in outcomes] == [
        (school_b.schema_name, "done", ["feedback.0001_initial", "feedback.0002_audit_triggers"])
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


def test_a_failing_school_is_left_as_it_was_and_the_others_carry_on(school_a, school_b):
    School.objects.update(migration_fingerprint=code_fingerprint())
    _set_back(school_a, keep_table=True)  # re-creating the table will fail
    _set_back(school_b)
    outcomes = {o.schema_name: o for o in releases.migrate_schools(workers=1)}
    assert outcomes[school_a.schema_name].status == "failed"
    assert "already exists" in outcomes[school_a.schema_name].error
    assert outcomes[school_b.schema_name].status == "done"
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
    assert [(o.schema_name, o.status) for o in again] == [(school_a.schema_name, "done")]


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
