"""The isolation and role matrix of the pages, generated from the URL patterns of both hosts.

Every page (a `houqin.web.pages.Page` in the routes) is declared in tests/pages/ with who may open
it. For every role, a member of another school and anonymous callers: anonymous callers are sent
to sign in and back; whoever may not open a page finds nothing there (404), and a POST from them
changes nothing; whoever may gets it in Chinese with no untranslated text; a page about one row
answers 404 for another school's row, even to those who may open such pages.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from houqin.roles import DISTRICT_ROLES, SCHOOL_ROLES, Role
from houqin.web.pages import Page
from tenants.models import School
from tenants.routing import school_host
from tests.conftest import SCHOOL_B, last_change
from tests.factories import user_with_role
from tests.matrix import Scene
from tests.pages import DISTRICT_PAGES, SCHOOL_PAGES, Declared, Pages
from tests.translations import untranslated
from tests.web import signed_in

SCHOOL_URLS = "houqin.urls.school"
DISTRICT_URLS = "houqin.urls.district"
OUTSIDER = "member of another school"
ANONYMOUS = "anonymous"


def _pages(patterns: list[Any], namespace: str = "", route: str = "") -> Iterator[tuple[str, str]]:
    """(URL name, route) of every page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _pages(pattern.url_patterns, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            page = getattr(pattern.callback, "view_class", None)
            if isinstance(page, type) and issubclass(page, Page):
                assert pattern.name, f"a page without a URL name: {pattern.pattern}"
                yield f"{namespace}{pattern.name}", route + str(pattern.pattern)


def _routed(urlconf: str) -> dict[str, str]:
    return dict(_pages(get_resolver(urlconf).url_patterns))


@pytest.mark.parametrize(
    ("urlconf", "declared"), [(SCHOOL_URLS, SCHOOL_PAGES), (DISTRICT_URLS, DISTRICT_PAGES)]
)
def test_every_page_is_declared(urlconf: str, declared: Pages) -> None:
    routed = _routed(urlconf)
    assert set(routed) - set(declared) == set(), "pages without a declaration in tests/pages/"
    assert set(declared) - set(routed) == set(), "declarations of pages that do not exist"


def _cells(declared: Pages, extra: list[str]) -> list[Any]:
    """A cell for each role let through a page, and one for all the callers it refuses (sent to
    sign in, or finding nothing): a refusal writes nothing (each call checks it), so they share
    one scene and one transaction. Those cells run untraced by coverage (no_cover)."""
    who: list[Any] = [*sorted(DISTRICT_ROLES), *sorted(SCHOOL_ROLES), *extra]
    cells = []
    for name, spec in declared.items():
        let_through = spec.roles | spec.sent_on
        cells += [pytest.param(name, (w,), id=f"{name} as {w}") for w in who if w in let_through]
        refused = tuple(w for w in who if w not in let_through)
        cells.append(pytest.param(name, refused, id=f"{name} refused", marks=pytest.mark.no_cover))
    return cells


def _client(host: str, who: Any, school_a: School) -> Client:
    if who == ANONYMOUS:
        return Client(SERVER_NAME=host)
    if who == OUTSIDER:
        user = user_with_role(Role.PRINCIPAL, School.objects.get(code=SCHOOL_B))
    else:
        user = user_with_role(who, None if who in DISTRICT_ROLES else school_a)
    return signed_in(host, user)


def _run_cell(
    host: str, urlconf: str, spec: Declared, name: str, callers: tuple[Any, ...], school_a: School
) -> None:
    # The first caller's account is made before the scene, which may act as the last account
    # made (the caller's).
    client = _client(host, callers[0], school_a)
    url = reverse(name, urlconf=urlconf, kwargs=spec.build(Scene(school_a)))
    page = resolve(url, urlconf=urlconf).func.view_class  # type: ignore[attr-defined]
    for index, who in enumerate(callers):
        if index:
            client = _client(host, who, school_a)
        if "get" not in page.http_method_names:
            _run_act_cell(client, url, spec, who)
        else:
            _run_page_cell(client, url, page, spec, who)


def _run_page_cell(client: Client, url: str, page: type[Page], spec: Declared, who: Any) -> None:
    with untranslated() as missing:
        response = client.get(url)
    if who == ANONYMOUS:
        assert response.status_code == 302, who
        assert response["Location"] == f"/signin/?next={quote(url)}"
    elif who in spec.roles:
        assert response.status_code == 200, response.content[:300]
        assert missing == set(), f"untranslated on {url}: {sorted(missing)}"
    elif who in spec.sent_on:
        assert response.status_code == 302
    else:
        assert response.status_code == 404, (who, response.status_code, response.content[:300])
        if hasattr(page, "post"):
            before = last_change()
            assert client.post(url, {}).status_code == 404, who
            assert last_change() == before, f"a refused POST wrote, as {who}"


def _run_act_cell(client: Client, url: str, spec: Declared, who: Any) -> None:
    """An act (a POST-only page: publish, add a dish...), posted empty: anonymous callers are
    sent to sign in, those who may act get an answer (a refusal of the empty form, or done),
    everyone else finds nothing and changes nothing."""
    before = last_change()
    with untranslated() as missing:
        response = client.post(url, {})
    if who == ANONYMOUS:
        assert response.status_code == 302, who
        assert response["Location"] == f"/signin/?next={quote(url)}"
    elif who in spec.roles:
        assert response.status_code in (302, 400, 409), response.content[:300]
        assert missing == set(), f"untranslated on {url}: {sorted(missing)}"
    else:
        assert response.status_code == 404, (who, response.status_code, response.content[:300])
    if who not in spec.roles:
        assert last_change() == before, f"a refused POST wrote, as {who}"


@pytest.mark.parametrize(("name", "callers"), _cells(SCHOOL_PAGES, [OUTSIDER, ANONYMOUS]))
def test_school_page(school_a: School, name: str, callers: tuple[Any, ...]) -> None:
    host = school_host(school_a.code)
    _run_cell(host, SCHOOL_URLS, SCHOOL_PAGES[name], name, callers, school_a)


@pytest.mark.parametrize(("name", "callers"), _cells(DISTRICT_PAGES, [ANONYMOUS]))
def test_district_page(
    school_a: School, district_host: str, name: str, callers: tuple[Any, ...]
) -> None:
    _run_cell(district_host, DISTRICT_URLS, DISTRICT_PAGES[name], name, callers, school_a)


# School pages about one row (their route names it), opened by those who may open them.
_ROW_PAGES = [
    name
    for name, route in _routed(SCHOOL_URLS).items()
    if "<" in route and name in SCHOOL_PAGES and SCHOOL_PAGES[name].roles & SCHOOL_ROLES
]


@pytest.mark.parametrize("name", _ROW_PAGES)
def test_another_schools_row_is_not_found(school_a: School, school_b: School, name: str) -> None:
    spec = SCHOOL_PAGES[name]
    role = sorted(spec.roles & SCHOOL_ROLES)[0]
    client = _client(school_host(school_a.code), role, school_a)
    url = reverse(name, urlconf=SCHOOL_URLS, kwargs=spec.build(Scene(school_b)))
    assert client.get(url).status_code == 404


def test_the_row_pages_are_checked() -> None:
    """The check above runs for every school page about a row (none is left out by mistake)."""
    rows = {name for name, route in _routed(SCHOOL_URLS).items() if "<" in route}
    assert rows - set(_ROW_PAGES) <= {"school-go"}
