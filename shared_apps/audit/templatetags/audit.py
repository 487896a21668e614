"""The audit trail's template tags, for the pages of every app: a link to a row's history (on
the district host, where the auditors read the trail)."""

from typing import Any

from django import template
from django.conf import settings
from django.db import models
from django.urls import reverse

from houqin.permissions import current_school_id, has_perm
from houqin.web.frame import address
from shared_apps.audit.readable import schema_of

register = template.Library()


@register.inclusion_tag("audit/includes/history_link.html", takes_context=True)
def history_link(context: dict[str, Any], row: models.Model) -> dict[str, Any]:
    """A link to the history of `row` in the trail, for those who read the trail."""
    request = context["request"]
    if not has_perm(request.user, "audit.view_change"):
        return {}
    kwargs = {"schema": schema_of(type(row)), "table": row._meta.db_table, "row_id": row.pk}
    path = reverse("audit:history", urlconf=settings.PUBLIC_SCHEMA_URLCONF, kwargs=kwargs)
    if current_school_id() is not None:
        path = address(request, settings.DISTRICT_DOMAIN, path)
    return {"path": path}
