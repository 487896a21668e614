"""Renderers of the views that answer a file: `?format=` picks its type, and the handler has
already made the file's bytes."""

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class FileRenderer(BaseRenderer):
    charset: str | None = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        return data


class XlsxRenderer(FileRenderer):
    media_type = XLSX
    format = "xlsx"


class PdfRenderer(FileRenderer):
    media_type = PDF
    format = "pdf"
