"""The frame around every page: who is signed in where, with which roles, and the navigation,
built from the host's own routes and the role registry: a page appears for those who may open it,
in its section, and nowhere else."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.functional import Promise

from houqin.db import tenant_db
from houqin.permissions import roles_of
from houqin.roles import REGISTRY
from houqin.web.pages import Page


@dataclass(frozen=True)
class Link:
    label: Promise
    path: str
    page: type[Page]
    order: int


@dataclass(frozen=True)
class Section:
    label: Promise
    links: list[Link]


def _walk(patterns: list[Any], prefix: str = "") -> list[Link]:
    links: list[Link] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            links.extend(_walk(pattern.url_patterns, route))
            continue
        assert isinstance(pattern, URLPattern)
        page = getattr(pattern.callback, "view_class", None)
        if (
            isinstance(page, type)
            and issubclass(page, Page)
            and page.nav is not None
            and "<" not in route
        ):
            links.append(Link(page.nav.label, "/" + route, page, page.nav.order))
    return links


@cache
def _links(urlconf: str) -> dict[Promise, list[Link]]:
    """Every page of the host's routes that asks to be in the navigation, by section."""
    sections: dict[Promise, list[Link]] = {}
    for link in sorted(_walk(get_resolver(urlconf).url_patterns), key=lambda link: link.order):
        assert link.page.nav is not None
        sections.setdefault(link.page.nav.section, []).append(link)
    return sections


def navigation(request: HttpRequest) -> list[Section]:
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    sections = []
    for label, links in _links(urlconf).items():
        allowed = [link for link in links if link.page.allowed(request)]
        if allowed:
            sections.append(Section(label, allowed))
    return sections


def frame(request: HttpRequest) -> dict[str, Any]:
    """The template context of the frame (settings.TEMPLATES' context processor)."""
    school = getattr(tenant_db(), "tenant", None)
    here = school.name if school is not None and school.schema_name != "public" else ""
    context: dict[str, Any] = {
        "district_name": settings.DISTRICT_NAME,
        "school_name": here,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav"] = navigation(request)
        context["role_labels"] = sorted(str(REGISTRY[role].label) for role in roles_of(user))
    return context
