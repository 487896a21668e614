"""The frame around every page: who is signed in where, with which roles, and the navigation,
built from the host's own routes and the role registry: a page appears for those who may open it,
in its section, and nowhere else. The same routes say which page shows one row of a model
(`Page.shows`), for links to rows named elsewhere (the audit trail's)."""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
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


@dataclass(frozen=True)
class Routed:
    """A page in a host's routes: its class, its URL name (with namespaces) and its route."""

    page: type[Page]
    name: str
    route: str


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Routed]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
            continue
        assert isinstance(pattern, URLPattern)
        page = getattr(pattern.callback, "view_class", None)
        if isinstance(page, type) and issubclass(page, Page):
            yield Routed(page, f"{namespace}{pattern.name or ''}", route)


@cache
def _links(urlconf: str) -> dict[Promise, list[Link]]:
    """Every page of the host's routes that asks to be in the navigation, by section."""
    links = [
        Link(routed.page.nav.label, "/" + routed.route, routed.page, routed.page.nav.order)
        for routed in _walk(get_resolver(urlconf).url_patterns)
        if routed.page.nav is not None and "<" not in routed.route
    ]
    sections: dict[Promise, list[Link]] = {}
    for link in sorted(links, key=lambda link: link.order):
        assert link.page.nav is not None
        sections.setdefault(link.page.nav.section, []).append(link)
    return sections


@cache
def _object_pages(urlconf: str) -> dict[str, Routed]:
    """Model label -> the page of the host's routes that shows one of its rows."""
    return {
        routed.page.shows._meta.label_lower: routed
        for routed in _walk(get_resolver(urlconf).url_patterns)
        if routed.page.shows is not None
    }


def object_path(
    request: HttpRequest, model: type[models.Model], pk: Any, urlconf: str
) -> str | None:
    """The path of the page that shows row `pk` of `model` among the routes of `urlconf`, when
    there is one and the caller may open such pages (with the roles they hold here)."""
    routed = _object_pages(urlconf).get(model._meta.label_lower)
    if routed is None or not routed.page.allowed(request):
        return None
    try:
        return reverse(routed.name, urlconf=urlconf, kwargs={"pk": pk})
    except NoReverseMatch:  # a row id the route does not take
        return None


def address(request: HttpRequest, host: str, path: str) -> str:
    """`path` on another host of the district (a school's), by the scheme and port this request
    came by."""
    port = request.get_port()
    shown = "" if port in ("80", "443") else f":{port}"
    return f"{request.scheme}://{host}{shown}{path}"


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
