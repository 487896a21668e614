"""A school's references to the district's rows (a user, a supplier, a programme) are checked on
the school's side, by triggers the schema editor makes in place of foreign keys
(houqin.db_backend.schema): the district's tables carry one trigger each however many schools
refer to them, and the references hold as a foreign key holds them."""

import importlib
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django_tenants.utils import schema_context

from tenants.models import School
from tenants.provisioning import TEMPLATE_SCHEMA
from tenants.releases import catalog_digest
from tests.concurrency import at_once
from tests.conftest import SCHOOL_A
from tests.factories import discard_user, make_user

CONVERT_SQL = importlib.import_module(
    "tenant_apps.people.migrations.0005_district_references"
).CONVERT_SQL


def _feedback(school: School, author_id: int) -> int:
    with schema_context(school.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO feedback_feedback (author_id, category, subject, body, status, "
            "response, due_at, created_at) VALUES (%s, 'canteen', '菜凉', '菜凉了', 'open', '', "
            "now(), now()) RETURNING id",
            [author_id],
        )
        return int(cursor.fetchone()[0])


def _checked() -> None:
    """The deferred checks run now, as at the transaction's commit."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_no_school_puts_a_trigger_on_a_district_table(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relnamespace <> 'public'::regnamespace "
            "AND c.confrelid IN (SELECT oid FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace)"
        )
        assert cursor.fetchone() == (0,), "a school's table has a foreign key to the district's"
        # Per school the user's table would hold two triggers for each of its references.
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_constraint c ON c.oid = t.tgconstraint "
            "JOIN pg_class s ON s.oid = c.conrelid "
            "WHERE t.tgrelid = 'public.accounts_user'::regclass "
            "AND s.relnamespace <> 'public'::regnamespace"
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'houqin\\_ref\\_%%' "
            "AND tgrelid = %s::regclass",
            [f"{TEMPLATE_SCHEMA}.feedback_feedback"],
        )
        assert cursor.fetchone() == (4,), "author and responded_by: an insert and a change each"


def test_a_school_row_cannot_name_a_user_that_does_not_exist(db: Any) -> None:
    school = School.objects.get(code=SCHOOL_A)
    with pytest.raises(IntegrityError, match="author_id"), transaction.atomic():
        _feedback(school, 2_000_000_000)
        _checked()


def test_a_reference_changed_is_checked_and_a_null_is_none(db: Any) -> None:
    school = School.objects.get(code=SCHOOL_A)
    author, other = make_user(), make_user()
    row = _feedback(school, author.pk)
    with schema_context(school.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE feedback_feedback SET responded_by_id = %s WHERE id = %s", [other.pk, row]
        )
        cursor.execute("UPDATE feedback_feedback SET responded_by_id = NULL WHERE id = %s", [row])
        _checked()
        with pytest.raises(IntegrityError, match="responded_by_id"), transaction.atomic():
            cursor.execute(
                "UPDATE feedback_feedback SET responded_by_id = 2000000000 WHERE id = %s", [row]
            )
            _checked()


def test_a_user_a_school_refers_to_is_never_deleted_nor_renumbered(db: Any) -> None:
    school = School.objects.get(code=SCHOOL_A)
    author, unreferred = make_user(), make_user()
    _feedback(school, author.pk)
    _checked()
    with connection.cursor() as cursor:
        with pytest.raises(IntegrityError, match="feedback_feedback"), transaction.atomic():
            cursor.execute("DELETE FROM accounts_user WHERE id = %s", [author.pk])
        with pytest.raises(IntegrityError, match="feedback_feedback"), transaction.atomic():
            cursor.execute("UPDATE accounts_user SET id = 2000000000 WHERE id = %s", [author.pk])
        cursor.execute("UPDATE accounts_user SET display_name = '改名' WHERE id = %s", [author.pk])
        cursor.execute("DELETE FROM accounts_user WHERE id = %s", [unreferred.pk])
        assert cursor.rowcount == 1


def test_a_user_deleted_while_a_school_refers_to_them_leaves_no_dangling_row(
    committed: list[Callable[[], Any]],
) -> None:
    """A school's insert naming a user and the user's deletion, at once on two connections: one
    of them fails, and no school row names a user who is gone."""
    school = School.objects.get(code=SCHOOL_A)
    for _round in range(3):
        user = make_user()
        rows: list[int] = []

        def cleanup(rows: list[int] = rows) -> None:
            with schema_context(school.schema_name), connection.cursor() as cursor:
                cursor.execute("DELETE FROM feedback_feedback WHERE id = ANY(%s)", [rows])

        committed.append(partial(discard_user, user))
        committed.append(cleanup)

        def act(i: int, user_id: int = user.pk, rows: list[int] = rows) -> str:
            with transaction.atomic():
                if i == 0:
                    rows.append(_feedback(school, user_id))
                    return "inserted"
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user_id])
                    return "deleted" if cursor.rowcount else "gone"

        outcomes = at_once(2, act)
        succeeded = [o for o in outcomes if isinstance(o, str)]
        assert len(succeeded) == 1, outcomes
        failed = next(o for o in outcomes if isinstance(o, BaseException))
        assert isinstance(failed, IntegrityError), failed
        with schema_context(school.schema_name), connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM feedback_feedback f WHERE f.author_id = %s "
                "AND NOT EXISTS (SELECT 1 FROM public.accounts_user u WHERE u.id = f.author_id)",
                [user.pk],
            )
            assert cursor.fetchone() == (0,)


def test_a_school_made_with_foreign_keys_is_converted_to_the_template(db: Any) -> None:
    """A school made before the references (a foreign key from its table to the users') gets
    what a school made from today's template has, by the people app's migration 0005."""
    school = School.objects.get(code=SCHOOL_A)
    assert catalog_digest(school.schema_name) == catalog_digest(TEMPLATE_SCHEMA)
    with schema_context(school.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER houqin_ref_author_id_i ON feedback_feedback; "
            "DROP TRIGGER houqin_ref_author_id_u ON feedback_feedback; "
            "ALTER TABLE feedback_feedback ADD CONSTRAINT feedback_author_fk "
            "FOREIGN KEY (author_id) REFERENCES public.accounts_user (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        assert catalog_digest(school.schema_name) != catalog_digest(TEMPLATE_SCHEMA)
        cursor.execute(CONVERT_SQL)
    assert catalog_digest(school.schema_name) == catalog_digest(TEMPLATE_SCHEMA)


def test_a_reference_names_its_table_as_a_relation_not_as_sql(db: Any) -> None:
    """The check runs as its owner: what a trigger passes it for the table is read as a
    relation's name, so no statement can ride in it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE probe (id bigint); CREATE TRIGGER probe AFTER INSERT ON probe "
            "FOR EACH ROW EXECUTE FUNCTION public.houqin_refers_to("
            "'id', 'public.accounts_user WHERE false; DROP TABLE public.tenants_school; --', 'id')"
        )
        with pytest.raises(DatabaseError, match="invalid name syntax"), transaction.atomic():
            cursor.execute("INSERT INTO probe VALUES (1)")
        cursor.execute("SELECT to_regclass('public.tenants_school') IS NOT NULL")
        assert cursor.fetchone() == (True,)
