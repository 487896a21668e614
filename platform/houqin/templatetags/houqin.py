"""The frame's template tags: the once-key of irreversible acts, sortable column heads and the
links of a list's pages."""

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString

from houqin.web import once

register = template.Library()


@register.simple_tag
def once_key() -> SafeString:
    """The hidden key that makes this form's act happen once (houqin.web.once)."""
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_key())


@register.simple_tag(takes_context=True)
def query(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with `changes` (None removes a parameter); a page resets to 1."""
    params: QueryDict = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("houqin/includes/sort_head.html", takes_context=True)
def sort_head(context: dict[str, Any], field: str) -> dict[str, Any]:
    """A column head that sorts the list by `field` (again: the other way)."""
    listing = context["listing"]
    ascending = listing.sort == field
    return {
        "request": context["request"],
        "label": listing.sorts[field],
        "next": f"-{field}" if ascending else field,
        "state": "ascending" if ascending else "descending" if listing.sort == f"-{field}" else "",
    }
