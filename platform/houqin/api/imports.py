"""The API's shape of an import's report (`houqin.imports.ImportReport.as_dict`)."""

from collections.abc import Sequence
from typing import Any

from rest_framework import serializers

from houqin.imports import UPSERT, RowStatus


def import_report_serializer(
    name: str, *, key: str = "code", statuses: Sequence[RowStatus] = UPSERT
) -> type[serializers.Serializer[Any]]:
    """`<name>ReportSerializer`, for an import whose rows are named by `key` and given
    `statuses` (besides error)."""
    row = type(
        f"{name}RowSerializer",
        (serializers.Serializer,),
        {
            "row": serializers.IntegerField(
                help_text="The spreadsheet's row number: the header is row 1."
            ),
            key: serializers.CharField(),
            "status": serializers.ChoiceField(
                choices=[status.value for status in (*statuses, RowStatus.ERROR)]
            ),
            "messages": serializers.ListField(child=serializers.CharField()),
            "reasons": serializers.ListField(child=serializers.CharField()),
        },
    )
    return type(
        f"{name}ReportSerializer",
        (serializers.Serializer,),
        {
            "saved": serializers.BooleanField(
                help_text="False on a dry run and when nothing was written."
            ),
            "dry_run": serializers.BooleanField(),
            **{status.value: serializers.IntegerField() for status in statuses},
            "errors": serializers.IntegerField(),
            "rows": row(many=True),
        },
    )
