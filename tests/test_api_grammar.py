"""One grammar for the whole API (docs/api.md), checked over both hosts' OpenAPI schemas and by
calls: months as YYYY-MM (a day of one read too, with a Deprecation header), every `_from` with
its `_to`, `?format=` winning over Accept, sign-in answering 200."""

from typing import Any

import pytest

from houqin.months import MONTH_PATTERN, previous_month
from houqin.roles import Role
from tenants.models import School
from tests.conftest import HostClient
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
