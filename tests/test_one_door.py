"""One door for writes: a service names its actor, and the database backend gives every
transaction that actor before its first statement, whatever the statement is. The trail, the
rows' `created_by` and the domain's events then agree by construction, in a request or not."""

import threading
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction
from django.db.models import Max

from houqin import context
from houqin.door import SystemActor, service
from shared_apps.accounts.models import User
from shared_apps.audit import services as audit
from shared_apps.audit.models import Change, Finding
from tenants.models import School
from tests.factories import make_user

FEEDBACK_INSERT = (
    "INSERT INTO feedback_feedback (author_id, category, subject, body, status, response, "
    "due_at, created_at) VALUES (%s, 'praise', %s, 'b', 'open', '', now(), now())"
)


def last_change_id() -> int:
    return Change.objects.across_schools().aggregate(m=Max("id"))["m"] or 0


def actors_of(mark: int, **filters: Any) -> list[tuple[int | None, str | None]]:
    rows = Change.objects.across_schools().filter(id__gt=mark, **filters).order_by("id")
    return [(row.actor_id, row.request_id) for row in rows]


@service
def open_account(*, username: str, actor: Any) -> User:
    """A service as the apps write them: the rows it creates name its actor."""
    return User.objects.create(username=username, created_by=actor if actor.pk else None)


def test_a_service_called_outside_any_request_or_transaction_records_its_actor(db: Any) -> None:
    """From a shell or a command: no request, autocommit, nothing but the service's `actor=`.
    (A thread has its own connection, outside the test's transaction; it removes what it made.)"""
    results: dict[str, Any] = {}

    def shell() -> None:
        try:
            assert connection.get_autocommit()
            actor = User.objects.create(username=f"officer-{uuid.uuid4().hex[:8]}")
            mark = last_change_id()
            opened = open_account(username=f"new-{uuid.uuid4().hex[:8]}", actor=actor)
            results["actor"], results["opened"] = actor, opened
            results["trail"] = actors_of(mark, table_name="accounts_user", row_id=str(opened.pk))
            with connection.cursor() as cursor:
                # Not Model.delete(): its collector would look for the users' rows in schools.
                cursor.execute("DELETE FROM accounts_user WHERE id = %s", [opened.pk])
                cursor.execute("DELETE FROM accounts_user WHERE id = %s", [actor.pk])
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=shell)
    thread.start()
    thread.join(timeout=60)
    assert "error" not in results, results.get("error")
    actor, opened = results["actor"], results["opened"]
    assert opened.created_by_id == actor.pk
    assert results["trail"] == [(actor.pk, None)]


def test_every_kind_of_write_in_a_transaction_carries_the_actor(
    db: Any, school_a: School, in_school: Any
) -> None:
    """A CTE that writes and a DO block are writes the old text prefix never saw."""
    author, actor = make_user(), make_user()
    with (
        in_school(school_a),
        context.acting(request_id="kinds", actor_id=actor.pk),
        connection.cursor() as cursor,
    ):
        mark = last_change_id()
        cursor.execute(
            f"WITH added AS ({FEEDBACK_INSERT} RETURNING id) SELECT id FROM added",
            [author.pk, "cte"],
        )
        cursor.execute(
            "DO $$ BEGIN UPDATE feedback_feedback SET body = 'do' WHERE subject = 'cte'; END $$"
        )
    trail = actors_of(mark, table_name="feedback_feedback")
    assert len(trail) == 2
    assert set(trail) == {(actor.pk, "kinds")}


def test_a_service_for_another_actor_inside_a_transaction_hands_the_actor_back(
    db: Any,
) -> None:
    outer, inner = make_user(), make_user()
    with context.acting(request_id="nested", actor_id=outer.pk):
        mark = last_change_id()
        first = make_user()
        second = open_account(username="by-inner", actor=inner)
        third = make_user()
    by_row = {
        row.row_id: row.actor_id
        for row in Change.objects.across_schools().filter(id__gt=mark, table_name="accounts_user")
    }
    assert by_row == {str(first.pk): outer.pk, str(second.pk): inner.pk, str(third.pk): outer.pk}
    assert second.created_by_id == inner.pk


def test_a_rollback_to_a_savepoint_does_not_leave_the_outer_actor_in_force(db: Any) -> None:
    """Rolling back to a savepoint restores the settings the savepoint started with: the next
    write in the inner context must set them again, not trust what the connection last sent."""
    outer, inner = make_user(), make_user()
    with context.acting(request_id="savepoint", actor_id=outer.pk), transaction.atomic():
        make_user()
        with pytest.raises(RuntimeError), transaction.atomic():
            context.set_actor(inner.pk)
            make_user()
            raise RuntimeError("rolled back to the savepoint, which began with the outer actor")
        mark = last_change_id()
        after = make_user()
    assert set(actors_of(mark, table_name="accounts_user", row_id=str(after.pk))) == {
        (inner.pk, "savepoint")
    }


def test_a_system_actor_is_recorded_as_no_person_with_the_request_id(db: Any) -> None:
    with context.acting(request_id="nightly-job", actor_id=None):
        mark = last_change_id()
        opened = open_account(username="by-the-system", actor=SystemActor("test.nightly"))
    assert opened.created_by_id is None
    assert actors_of(mark, table_name="accounts_user", row_id=str(opened.pk)) == [
        (None, "nightly-job")
    ]


@pytest.mark.parametrize("actor", [None, AnonymousUser(), "district.admin", User(username="x")])
def test_a_service_refuses_what_is_not_an_actor(db: Any, actor: Any) -> None:
    with pytest.raises(TypeError):
        open_account(username="nobody", actor=actor)
    assert not User.objects.filter(username="nobody").exists()


def test_a_service_called_without_its_actor_is_refused(db: Any) -> None:
    with pytest.raises(TypeError, match="actor"):
        open_account(username="nobody")  # type: ignore[call-arg]


def test_a_service_called_outside_any_request_names_its_actor_in_the_trail_and_its_row(
    db: Any,
) -> None:
    """A shell or a command: nothing in the context but what the service is given."""
    auditor = make_user()
    assert context.current().actor_id is None
    mark = last_change_id()
    finding = audit.finding_create(
        school=None, title="t", body="b", severity=Finding.Severity.LOW, actor=auditor
    )
    audit.finding_update(finding=finding, status=Finding.Status.CLOSED, actor=auditor)
    assert finding.created_by_id == auditor.pk
    trail = Change.objects.across_schools().filter(id__gt=mark, table_name="audit_finding")
    assert [row.actor_id for row in trail] == [auditor.pk, auditor.pk]
