"""One grammar for the whole API (docs/api.md), checked over both hosts' OpenAPI schemas and by
calls: months as YYYY-MM (a day of one read too, with a Deprecation header), every `_from` with
its `_to`, `?format=` winning over Accept, sign-in answering 200."""

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from houqin.months import MONTH_PATTERN, previous_month
from houqin.roles import Role
from tenants.models import School
from tests.conftest import HostClient
from tests.matrix import DISTRICT_OPERATIONS, SCHOOL_OPERATIONS
from tests.matrix.subsidies import make_claim

R = Role
STRICT_OR_LENIENT = (MONTH_PATTERN, r"^\d{4}-\d{2}$")


@pytest.fixture
def schemas(school_a: School, district_host: str) -> dict[str, Any]:
    return {
        where: HostClient(host).get("/api/schema/?format=json").json()
        for where, host in (
            ("district", district_host),
            ("school", f"{school_a.code}.{district_host}"),
        )
    }


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def _query(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == "query"}


def test_every_month_parameter_is_written_yyyy_mm(schemas: dict[str, Any]) -> None:
    months = 0
    for where, schema in schemas.items():
        for method, path, operation in _operations(schema):
            for name, parameter in _query(operation).items():
                if name == "month" or name.startswith("month_"):
                    months += 1
                    assert parameter["schema"].get("pattern") == MONTH_PATTERN, (where, path, name)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                ref = body["schema"].get("$ref", "")
                component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
                month = component.get("properties", {}).get("month")
                if month is not None:
                    # YYYY-MM, the day of a month read too or not.
                    assert month.get("pattern") in STRICT_OR_LENIENT, (where, method, path)
    assert months >= 10


def test_every_range_has_both_ends(schemas: dict[str, Any]) -> None:
    for where, schema in schemas.items():
        for _method, path, operation in _operations(schema):
            names = set(_query(operation))
            for name in names:
                if name.endswith("_from"):
                    assert f"{name[:-5]}_to" in names, (where, path, name)
                if name.endswith("_to"):
                    assert f"{name[:-3]}_from" in names, (where, path, name)
    servings = schemas["school"]["paths"]["/api/v1/servings/"]["get"]
    assert {"date_from", "date_to"} <= set(_query(servings))


def test_signing_in_answers_200(
    schemas: dict[str, Any], school_a: School, district_host: str
) -> None:
    for schema in schemas.values():
        responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
        assert "200" in responses and "201" not in responses


def test_an_explicit_format_wins_over_the_accept_header(client_for: Any, school_a: School) -> None:
    client = client_for(None, R.FINANCE_OFFICER)
    month = f"{previous_month():%Y-%m}"
    response = client.get(
        f"/api/v1/statements/district/?month={month}&format=xlsx", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    unknown = client.get(f"/api/v1/statements/district/?month={month}&format=docx")
    assert unknown.status_code == 400
    assert unknown["Content-Type"].startswith("application/json")


def test_a_month_is_read_as_yyyy_mm_and_its_older_form_is_deprecated(
    client_for: Any, school_a: School
) -> None:
    claim = make_claim(school_a)
    client = client_for(school_a, R.PRINCIPAL)
    new = client.get(f"/api/v1/subsidies/claims/?month={claim.month:%Y-%m}")
    assert new.status_code == 200, new.content
    assert [c["id"] for c in new.json()["results"]] == [claim.pk]
    assert "Deprecation" not in new
    old = client.get(f"/api/v1/subsidies/claims/?month={claim.month:%Y-%m-%d}")
    assert [c["id"] for c in old.json()["results"]] == [claim.pk]
    assert old["Deprecation"] == "true"
    assert old["X-Deprecated-Parameters"] == "month"
    bad = client.get("/api/v1/subsidies/claims/?month=2026-13")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["month"]
    # The next request of the same process carries no leftover header.
    assert "Deprecation" not in client.get("/api/v1/subsidies/claims/")


def _person_fields() -> set[str]:
    """The names every model gives a link to a person (an account)."""
    account = get_user_model()
    return {
        field.name
        for model in apps.get_models()
        for field in (*model._meta.concrete_fields, *model._meta.many_to_many)
        if field.related_model is account
    }


def _is_person(value: dict[str, Any]) -> bool:
    person = "#/components/schemas/Person"
    if value.get("type") == "array":
        return _is_person(value.get("items", {}))
    return value.get("$ref") == person or [{"$ref": person}] == value.get("allOf")


# Properties named as a link to a person that hold something else.
NOT_PEOPLE = {
    # Each committee member's scores of a bid: the member is a seat of the committee.
    ("EvaluatedBid", "members"),
}


def test_every_person_is_shown_the_same_way(schemas: dict[str, Any]) -> None:
    """A person in any answer is a Person (id, username, display name), never a bare id in one
    place and a username in another; requests name people by id."""
    names = _person_fields()
    shown = 0
    wrong = []
    for where, schema in schemas.items():
        person = schema["components"]["schemas"]["Person"]
        assert set(person["properties"]) == {"id", "username", "display_name"}
        for component, body in schema["components"]["schemas"].items():
            if component.endswith("Request"):
                continue
            for name, value in body.get("properties", {}).items():
                if name in names and (component, name) not in NOT_PEOPLE:
                    shown += 1
                    if not _is_person(value):
                        wrong.append((where, component, name, value))
    assert not wrong, "\n".join(map(str, wrong))
    assert shown >= 30


# A value of each type an older parameter has.
OLDER_VALUES = {"date": "2026-10-12", "date-time": "2026-10-12T08:00:00+08:00"}


def test_every_older_parameter_is_read_and_answered_with_a_deprecation_header(
    schemas: dict[str, Any], client_for: Any, school_a: School
) -> None:
    """Each parameter a schema marks deprecated, on every list that takes it: the list answers
    with it (the older form still works), naming it in the headers; the same list without it
    answers with no Deprecation header."""
    declared = {"school": SCHOOL_OPERATIONS, "district": DISTRICT_OPERATIONS}
    seen = set()
    for where, schema in schemas.items():
        for method, path, operation in _operations(schema):
            older = [p for p in _query(operation).values() if p.get("deprecated")]
            if method != "get" or not older:
                continue
            role = sorted(declared[where][("GET", path)])[0]
            client = client_for(school_a if where == "school" else None, role)
            assert "Deprecation" not in client.get(path), (where, path)
            for parameter in older:
                value = OLDER_VALUES[parameter["schema"]["format"]]
                answer = client.get(path, {parameter["name"]: value})
                assert answer.status_code == 200, (where, path, answer.content[:300])
                assert answer["Deprecation"] == "true", (where, path, parameter["name"])
                assert answer["X-Deprecated-Parameters"] == parameter["name"]
                seen.add((path, parameter["name"]))
    assert {
        ("/api/v1/sessions/", "date"),
        ("/api/v1/servings/", "date"),
        ("/api/v1/alerts/", "start"),
        ("/api/v1/alerts/", "end"),
        ("/api/v1/eligibility/", "in_force_on"),
        ("/api/v1/procurement/qualifications/", "expires_before"),
    } <= seen, sorted(seen)
    assert sum(name in ("since", "until") for _path, name in seen) >= 4, sorted(seen)


# Lists with a date in their rows where a range would narrow nothing a user looks for.
NO_RANGE = {
    # One row: the school's repair timers, their date the last time they were changed.
    "/api/v1/repairs/policy/",
    # The ledger against the register on one day, chosen by `on`: a range has no meaning.
    "/api/v1/assets/ledger/reconciliation/",
    # A person's own few tokens.
    "/api/v1/me/tokens/",
    # The versions of the national nutrition standard: one every several years.
    "/api/v1/standards/",
    # One row per school, as of the schools' last figures: its dates say how fresh each is.
    "/api/v1/upkeep/schools/",
    # Who is due for bus-safety training as of today: their last training is what it tells.
    "/api/v1/riders/trainings/untrained/",
}


def _rows(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of one row of a list operation's JSON answer, None for anything else."""
    answer = operation.get("responses", {}).get("200", {}).get("content", {})
    body = answer.get("application/json", {}).get("schema")
    if body is None:
        return None
    components = schema["components"]["schemas"]

    def resolve(part: dict[str, Any]) -> dict[str, Any]:
        ref = part.get("$ref")
        return components[ref.rsplit("/", 1)[-1]] if ref else part

    body = resolve(body)
    if body.get("type") == "object" and "results" in body.get("properties", {}):
        body = resolve(body["properties"]["results"])
    if body.get("type") != "array":
        return None
    return resolve(body.get("items", {}))


def _stem(name: str) -> str:
    """`issued_on`, `created_at`, `start_date` → issued, created, start; a period's two ends
    (`valid_from`/`valid_to`, `period_start`/`period_end`, `week_start`) → valid, period, week."""
    for end in ("_on", "_at", "_date", "_from", "_to", "_start", "_end"):
        if name.endswith(end):
            return name[: -len(end)]
    return name


def test_every_list_with_a_date_takes_a_range(schemas: dict[str, Any]) -> None:
    missing = []
    for where, schema in schemas.items():
        for method, path, operation in _operations(schema):
            if method != "get" or "{" in path or path in NO_RANGE:
                continue
            row = _rows(schema, operation)
            if row is None:
                continue
            dates = [
                name
                for name, field in row.get("properties", {}).items()
                if field.get("format") in ("date", "date-time")
            ]
            names = set(_query(operation))
            if dates and not any({f"{_stem(d)}_from", f"{_stem(d)}_to"} <= names for d in dates):
                missing.append((where, path, dates))
    assert not missing, "\n".join(map(str, missing))
