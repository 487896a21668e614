"""A licence's scan as a page answers it: the clean JPEG kept when it was sent, never cached."""

from django.http import Http404, HttpResponse

from shared_apps.procurement.models import Qualification


def scan_response(licence: Qualification) -> HttpResponse:
    """The scan of `licence`, which the caller may see; 404 when it was sent without one."""
    if not licence.scan:
        raise Http404
    with licence.scan.open("rb") as scan:
        response = HttpResponse(scan.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
