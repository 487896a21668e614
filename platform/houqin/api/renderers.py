"""Renderers of the views that answer a file: `?format=` picks its type, and the handler has
already made the file's bytes; `FileFormats` is the content negotiation of such views."""

from collections.abc import Mapping
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from houqin.exceptions import InvalidInput

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


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class FileFormats(APIView):
    """A view that answers files as `?format=` asks (its `renderer_classes`): the parameter wins
    over the Accept header (a client's default `Accept: application/json` does not turn an
    explicit `?format=xlsx` into a 406), an unknown format is bad input (DRF's own answer is
    404), and errors keep the one JSON error shape whatever file was asked for. Put it before the
    view's base class."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        asked = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE or "format")
        renderers = self.get_renderers()
        chosen = next((r for r in renderers if asked and r.format == asked), None)
        if chosen is not None:
            return chosen, chosen.media_type
        try:
            return super().perform_content_negotiation(request, force)
        except (exceptions.NotFound, Http404) as exc:
            formats = ", ".join(renderer.format for renderer in renderers)
            message = _("Unknown format: choose one of {formats}.").format(formats=formats)
            raise InvalidInput(message, fields={"format": [message]}) from exc

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
