"""Key material and ciphertext never reach the audit trail, by rule rather than by list: every
binary column of every model of every app, and every column a model declares in
`audit_redacted_fields`, is absent from every trail row written for it (as a column and as a
value); the auditors' `/audit/changes/` answers for procurement tables carry none of them; and a
change of what is redacted is a migration, which re-wires the tables and reverses."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.migrations.state import ProjectState
from django.db.models import Max
from django_tenants.routers import TenantSyncRouter
from django_tenants.utils import tenant_context

from houqin import context
from houqin.roles import Role
from shared_apps.audit import triggers
from shared_apps.audit.models import Change
from shared_apps.audit.operations import AuditTriggers
from shared_apps.procurement.models import Evaluator
from shared_apps.procurement.services import tenders
from shared_apps.transport import services as transport
from tenant_apps.dorms.services import visitors
from tenant_apps.feedback.models import Feedback
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import SETUP, make_user, token_for, user_with_role
from tests.matrix.people import make_student, national_id_for
from tests.matrix.riders import make_terminal
from tests.matrix.tenders import (
    bid_on,
    close,
    opened_tender,
    present,
    published_tender,
    seats,
)
from tests.matrix.transport import make_vehicle


def secret_columns(model: type[models.Model]) -> set[str]:
    """What the rule says the trail never holds: binary columns, and declared ones."""
    binary = {
        str(field.column)
        for field in model._meta.concrete_fields
        if isinstance(field, models.BinaryField)
    }
    declared = {
        str(model._meta.get_field(name).column)  # type: ignore[union-attr]
        for name in getattr(model, "audit_redacted_fields", ())
    }
    return binary | declared


MODELS_WITH_SECRETS = sorted(
    (
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and secret_columns(model)
    ),
    key=lambda model: str(model._meta.db_table),
)


def _schemas_of(model: type[models.Model], school: School) -> list[str]:
    router = TenantSyncRouter()
    label = model._meta.app_label
    return [
        schema
        for schema, installed in (
            ("public", settings.SHARED_APPS),
            (school.schema_name, settings.TENANT_APPS),
        )
        if router.app_in_list(label, installed)
    ]


def _last_change() -> int:
    return Change.objects.across_schools().aggregate(m=Max("id"))["m"] or 0


def _as_text(value: Any) -> str:
    """A secret as it would appear in a trail row's JSON: bytea as its hex digits."""
    return bytes(value).hex() if isinstance(value, bytes | memoryview) else str(value)


@pytest.fixture
def secrets_written(db: Any, school_a: School) -> int:
    """A row holding each kind of secret the models keep, written through the services: a
    published tender (its key pair; its evaluators' keys, public and locked; their seats' sealed
    shares), a sealed reserve price, a sealed bid, a presented share, a password, an API token's
    hash, a student's encrypted national ID (the template's script is there already), a bus's
    GPS device key's hash, a boarding terminal's key's hash, a dorm visitor's encrypted ID
    number, and an opened tender's bid (the
    auditors read a bid's trail only once its tender is opened). Returns the last trail row
    before them."""
    mark = _last_change()
    tender = published_tender(ceiling=Decimal("2500.00"))
    lot = tender.lots.get()
    tenders.tender_seal_reserve(tender=tender, reserves={lot.pk: Decimal("2300.00")}, actor=SETUP)
    bid_on(lot)
    close(tender)
    present(seats(tender)[0], open_when_ready=False)
    opened_tender()
    token_for(make_user())
    make_student(school_a.schema_name)
    transport.vehicle_device_key_issue(vehicle=make_vehicle(), actor=SETUP)
    make_terminal(school_a)
    with tenant_context(school_a):
        visitors.visitor_arrive(
            name="王舅舅",
            national_id_number=national_id_for(1, born="19800101"),
            purpose="送衣物",
            actor=SETUP,
        )
    return mark


def test_the_rule_covers_the_key_material_the_auditor_could_read(db: Any) -> None:
    tables = {str(model._meta.db_table): secret_columns(model) for model in MODELS_WITH_SECRETS}
    assert tables["procurement_evaluator"] >= {"public_key", "locked_private_key"}
    assert tables["procurement_tender"] >= {"public_key", "sealed_private_key"}
    assert tables["procurement_committeeseat"] >= {"sealed_share"}
    assert tables["procurement_bid"] >= {"sealed"}
    assert tables["procurement_lot"] >= {"sealed_reserve"}
    assert tables["people_student"] >= {"national_id_ciphertext", "national_id_hash"}


def test_no_secret_of_any_model_reaches_the_trail_after_a_write(
    secrets_written: int, school_a: School
) -> None:
    """For every model with a secret, in every schema it lives in: every row is written again
    (an UPDATE through the trigger), and no trail row written since the fixture began (its
    inserts and these updates) holds a secret column or a secret's value."""
    failures = []
    q = connection.ops.quote_name
    for model in MODELS_WITH_SECRETS:
        table, pk = str(model._meta.db_table), str(model._meta.pk.column)
        columns = sorted(secret_columns(model))
        for schema in _schemas_of(model, school_a):
            qualified = f"{q(schema)}.{q(table)}"
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {', '.join(map(q, columns))} FROM {qualified}")
                values = {_as_text(value) for row in cursor.fetchall() for value in row if value}
                if not values:
                    failures.append(f"{schema}.{table}: no row holds a secret to look for")
                    continue
                with context.acting(request_id="redaction-scan"):
                    cursor.execute(f"UPDATE {qualified} SET {q(pk)} = {q(pk)}")
            rows = Change.objects.across_schools().filter(
                id__gt=secrets_written, schema_name=schema, table_name=table
            )
            if not rows.filter(operation="UPDATE", request_id="redaction-scan").exists():
                failures.append(f"{schema}.{table}: the write left no trail row")
            for row in rows:
                for image in (row.before, row.after):
                    if image is None:
                        continue
                    if copied := set(image) & set(columns):
                        failures.append(f"{schema}.{table}#{row.row_id}: {sorted(copied)}")
                    text = json.dumps(image, ensure_ascii=False)
                    if any(value in text for value in values):
                        failures.append(f"{schema}.{table}#{row.row_id}: a secret's value")
    assert failures == []


PROCUREMENT_SECRETS = {
    str(model._meta.db_table): secret_columns(model)
    for model in MODELS_WITH_SECRETS
    if model._meta.app_label == "procurement"
}


@pytest.mark.parametrize("table", sorted(PROCUREMENT_SECRETS))
def test_the_auditors_answer_for_procurement_tables_carries_no_key_material(
    secrets_written: int, district_host: str, table: str
) -> None:
    auditor = HostClient(district_host, user_with_role(Role.AUDITOR))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(sorted(PROCUREMENT_SECRETS[table]))} FROM public.{table}"
        )
        values = {_as_text(value) for row in cursor.fetchall() for value in row if value}
    response = auditor.get("/api/v1/audit/changes/", {"table_name": table})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results, f"no trail row for {table}"
    for result in results:
        for image in (result["before"], result["after"]):
            assert not set(image or {}) & PROCUREMENT_SECRETS[table], result
    body = response.content.decode()
    assert not [value for value in values if value in body]


def _apply(operation: AuditTriggers, app_label: str, *, backwards: bool = False) -> None:
    state = ProjectState()
    with connection.schema_editor() as editor:
        if backwards:
            operation.database_backwards(app_label, editor, state, state)
        else:
            operation.database_forwards(app_label, editor, state, state)


def test_a_change_of_redaction_is_a_migration_that_rewires_and_reverses(
    db: Any, school_a: School, monkeypatch: pytest.MonkeyPatch, in_school: Any
) -> None:
    """Migrations wire what the trail redacts: with one more column redacted in the code, the
    trail check reports the table (web and worker would not start) until a migration re-wires it,
    in the centre and in every school where its app lives; reversing that migration puts the
    previous wiring back."""
    monkeypatch.setattr(Feedback, "audit_redacted_fields", ("body",), raising=False)
    monkeypatch.setattr(Evaluator, "audit_redacted_fields", ("phone",), raising=False)
    feedback = AuditTriggers(
        {"feedback_feedback": ["id", "body"]}, previous={"feedback_feedback": ["id"]}
    )
    evaluator = AuditTriggers(
        {"procurement_evaluator": ["id", "locked_private_key", "phone", "public_key"]},
        previous={"procurement_evaluator": ["id", "locked_private_key", "public_key"]},
    )
    with in_school(school_a):
        assert triggers.missing_triggers(connection) == ["feedback_feedback"]
    assert triggers.missing_triggers(connection) == ["procurement_evaluator"]

    # A school app's operation does nothing in the centre, a centre app's nothing in a school.
    _apply(feedback, "feedback")
    _apply(evaluator, "procurement")
    with in_school(school_a):
        _apply(evaluator, "procurement")
        _apply(feedback, "feedback")
        assert triggers.missing_triggers(connection) == []
        mark = _last_change()
        with context.acting(request_id="new-redaction"):
            Feedback.objects.create(
                author=make_user(), category="praise", subject="s", body="不应留在日志"
            )
        [row] = Change.objects.across_schools().filter(id__gt=mark, table_name="feedback_feedback")
        assert row.after is not None
        assert "body" not in row.after and row.after["subject"] == "s"
    assert triggers.missing_triggers(connection) == []

    with in_school(school_a):
        _apply(feedback, "feedback", backwards=True)
    _apply(evaluator, "procurement", backwards=True)
    monkeypatch.undo()
    assert triggers.missing_triggers(connection) == []
    with in_school(school_a):
        assert triggers.missing_triggers(connection) == []
