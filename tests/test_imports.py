"""The one import framework every importer uses: rows, problems, the report's shape, and saving
all rows or none."""

import pytest
from django.db import IntegrityError

from houqin.exceptions import Conflict, InvalidInput
from houqin.imports import (
    ImportReport,
    RowResult,
    RowStatus,
    listed_twice,
    other_rows,
    save_all_or_nothing,
)


def test_a_problem_fails_the_row_with_its_message_reason_and_field() -> None:
    result = RowResult(row=3, key="A1")
    assert result.status == RowStatus.READY and not result.failed
    result.problem("name", "name_required", "The name is missing.")
    result.problem("name", "name_short", "Too short.")
    assert result.failed
    assert result.as_dict("student_number") == {
        "row": 3,
        "student_number": "A1",
        "status": "error",
        "messages": ["The name is missing.", "Too short."],
        "reasons": ["name_required", "name_short"],
    }
    assert result.fields == {"name": ["The name is missing.", "Too short."]}


def test_the_report_counts_each_status_the_import_gives() -> None:
    rows = [RowResult(2, "a", RowStatus.CREATED), RowResult(3, "b", RowStatus.EXISTS)]
    report = ImportReport(rows=rows, statuses=(RowStatus.CREATED, RowStatus.EXISTS))
    body = report.as_dict()
    assert list(body) == ["saved", "dry_run", "created", "exists", "errors", "rows"]
    assert (body["created"], body["exists"], body["errors"]) == (1, 1, 0)
    assert body["rows"][1] == {
        "row": 3,
        "code": "b",
        "status": "exists",
        "messages": [],
        "reasons": [],
    }


def test_keys_listed_twice_name_their_rows() -> None:
    twice = listed_twice([("a", 2), ("b", 3), ("a", 5), ("", 6), ("", 7), ("a", 9)])
    assert twice == {"a": [2, 5, 9]}
    assert other_rows(twice["a"], 5) == "2, 9"


def test_one_faulty_row_refuses_the_import_and_nothing_is_written() -> None:
    written = []
    bad = RowResult(4, "x")
    bad.problem("code", "code_invalid", "Bad code.")
    report = ImportReport(rows=[RowResult(2, "ok", RowStatus.CREATED), bad])
    with pytest.raises(InvalidInput) as refused:
        save_all_or_nothing(report, lambda: written.append(1), conflict=Conflict("x"))
    assert refused.value.code == "invalid_rows"
    assert [row["row"] for row in refused.value.fields["rows"]] == [4]
    assert written == [] and not report.saved


def test_a_dry_run_writes_nothing() -> None:
    written = []
    report = ImportReport(rows=[RowResult(2, "a", RowStatus.CREATED)], dry_run=True)
    save_all_or_nothing(report, lambda: written.append(1), conflict=Conflict("x"))
    assert written == [] and not report.saved


@pytest.mark.django_db
def test_a_constraint_failing_refuses_the_whole_import() -> None:
    def write() -> None:
        raise IntegrityError("duplicate key")

    report = ImportReport(rows=[RowResult(2, "a", RowStatus.CREATED)])
    with pytest.raises(Conflict) as refused:
        save_all_or_nothing(report, write, conflict=Conflict("again", code="concurrent_import"))
    assert refused.value.code == "concurrent_import" and not report.saved
    save_all_or_nothing(report, lambda: None, conflict=Conflict("again"))
    assert report.saved
