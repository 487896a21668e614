"""A list's queries do not grow with its rows, generated for every list operation of the matrix
(tests/matrix) that has a detail operation beside it: the detail's builder makes one row per
call (a new one each time, as the matrix's cells need), so the list is read with one row of its
own and again with five, by a role allowed both (the auditor where it may), and the second
reading takes no more queries than the first. Both readings come after a first one, so that
what is cached between requests (the caller's token and roles, the host) is cached in both:
building rows may change accounts or memberships, which a reading then reads afresh.

A list whose detail's builder makes no row of its own cannot show growth; `UNREACHED` names
them, and a list named there that comes to show its rows fails until it is taken out. Lists
with no detail beside them (a ledger, a policy, today's servings) are not generated here."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin.roles import Role
from tests.matrix import DISTRICT_OPERATIONS, SCHOOL_OPERATIONS, Operations, Scene

FEW, MANY = 1, 5

# Lists whose detail's builder reads a row that exists instead of making one: the test school,
# the standard in force, the catalogue's rice.
UNREACHED: frozenset[tuple[str, str]] = frozenset(
    {
        ("district", "/api/v1/schools/"),
        ("district", "/api/v1/standards/"),
        ("district", "/api/v1/foods/"),
    }
)


def _detail_of(operations: Operations, path: str) -> str | None:
    for method, other in operations:
        rest = other[len(path) :]
        if (
            method == "GET"
            and other.startswith(path)
            and rest.startswith("{")
            and rest.count("/") == 1
        ):
            return other
    return None


def _reader(allowed: frozenset[Role]) -> Role:
    return Role.AUDITOR if Role.AUDITOR in allowed else sorted(allowed)[0]


def _cases() -> list[Any]:
    cases = []
    for where, operations in (("school", SCHOOL_OPERATIONS), ("district", DISTRICT_OPERATIONS)):
        for (method, path), allowed in operations.items():
            if method != "GET" or "{" in path:
                continue
            detail = _detail_of(operations, path)
            if detail is None:
                continue
            both = allowed & operations[("GET", detail)]
            if both:
                cases.append(pytest.param(where, path, detail, _reader(both), id=f"{where} {path}"))
    return cases


def _rows(answer: Any) -> int:
    if isinstance(answer, dict) and "results" in answer:
        return int(answer.get("count", len(answer["results"])))
    return len(answer) if isinstance(answer, list) else 0


def _read(client: Any, path: str) -> tuple[int, int]:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries.captured_queries), _rows(response.json())


@pytest.mark.parametrize(("where", "path", "detail", "reader"), _cases())
def test_a_lists_queries_do_not_grow_with_its_rows(
    client_for, school_a, where, path, detail, reader
):
    school = school_a if where == "school" else None
    client = client_for(school, reader)
    scene = Scene(school)
    scene.path_and_body("GET", detail)
    few_queries, few_rows = _read(client, path)
    for _more in range(MANY - FEW):
        scene.path_and_body("GET", detail)
    many_queries, many_rows = _read(client, path)
    assert many_queries <= few_queries, (
        f"{path}: {few_queries} queries for {few_rows} rows, {many_queries} for {many_rows}"
    )
    grew = many_rows > few_rows
    assert grew != ((where, path) in UNREACHED), f"{path}: {few_rows} then {many_rows} rows" + (
        "" if grew else ": the list does not show the rows its detail's builder makes"
    )


def _counts(sqls: list[str]) -> int:
    return sum(1 for sql in sqls if sql.startswith("SELECT COUNT(*)"))


def test_a_list_is_counted_only_when_its_first_page_does_not_hold_it(client_for, school_a):
    client = client_for(school_a, Role.PRINCIPAL)
    for subject in ("一", "二", "三"):
        body = {"category": "praise", "subject": subject, "body": "好"}
        assert client.post("/api/v1/feedback/", body, format="json").status_code == 201
    client.get("/api/v1/feedback/")
    answers = {}
    for query in ("", "?page_size=2", "?page_size=2&page=2", "?page_size=3"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/feedback/{query}")
        assert response.status_code == 200
        answer = response.json()
        answers[query] = (
            answer["count"],
            len(answer["results"]),
            answer["next"] is not None,
            _counts([q["sql"] for q in queries.captured_queries]),
        )
    assert answers == {
        "": (3, 3, False, 0),
        "?page_size=2": (3, 2, True, 1),
        "?page_size=2&page=2": (3, 1, False, 1),
        "?page_size=3": (3, 3, False, 1),
    }
    assert client.get("/api/v1/feedback/?page=2").status_code == 404
