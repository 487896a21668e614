"""The transport officer's route-version pages on the district host: a route's versions with
their weekdays, dates and stops in order with their times; a new version from one of them,
stops reordered, retimed or left out (bad input said next to the field, nothing made), linked
to the route's first version; each version's licence approved or awaited, and the one in force
today."""

import datetime
from typing import Any

import pytest

from houqin.roles import Role
from shared_apps.transport import services
from shared_apps.transport.models import Route
from tests.factories import SETUP, user_with_role
from tests.matrix.transport import make_licence, make_route, make_version
from tests.pages.transport import district_client
from tests.web import form_key, page, signed_in

pytestmark = pytest.mark.django_db


def test_the_officer_adds_a_version_with_its_days_and_its_stops_reordered(
    district_host: str,
) -> None:
    route = make_route()
    first, second, third = route.stops.all()
    client = district_client(district_host)
    url = f"/transport/routes/{route.pk}/versions/new/"
    done = client.post(
        url,
        {
            "once": form_key(client, url),
            "weekdays": ["3"],
            "valid_from": "2027-03-01",
            "valid_until": "2027-06-30",
            f"order_{first.pk}": "2",
            f"at_{first.pk}": "12:10",
            f"order_{third.pk}": "1",
            f"at_{third.pk}": "12:00",
            f"order_{second.pk}": "",
            f"at_{second.pk}": "",
        },
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    made = Route.objects.get(version_of=route, version=2)
    assert made.code == f"{route.code}/v2"
    assert done["Location"] == f"/transport/routes/{made.pk}/"
    assert (made.weekdays, made.valid_from, made.valid_until) == (
        "3",
        datetime.date(2027, 3, 1),
        datetime.date(2027, 6, 30),
    )
    assert [(s.order, s.name, s.at, s.approved) for s in made.stops.all()] == [
        (1, third.name, datetime.time(12, 0), True),
        (2, first.name, datetime.time(12, 10), True),
    ]
    assert list(made.schools.all()) == list(route.schools.all())

    # Both versions listed from either, each with its days and stops in order.
    html = page(client, f"/transport/routes/{made.pk}/")
    assert route.code in html and made.code in html
    assert html.index(f'id="version-{route.pk}"') < html.index(f'id="version-{made.pk}"')
    mine = html[html.index(f'id="version-{made.pk}"') :]
    assert "2027-03-01 – 2027-06-30" in mine
    assert mine.index(third.name) < mine.index(first.name)
    # Another from the first is the third version.
    third_url = f"/transport/routes/{route.pk}/versions/new/"
    again = client.post(
        third_url,
        {
            "once": form_key(client, third_url),
            "weekdays": ["6"],
            f"order_{first.pk}": "1",
            f"at_{first.pk}": "08:00",
        },
    )
    assert again.status_code == 302
    assert Route.objects.filter(version_of=route, version=3, weekdays="6").exists()


def test_each_version_says_whether_its_licence_is_approved_and_which_is_in_force(
    district_host: str,
) -> None:
    route = services.route_version_set(route=make_route(), weekdays="1234567", actor=SETUP)
    make_licence(route=route)
    later = make_version(route)
    html = page(district_client(district_host), f"/transport/routes/{later.pk}/")
    first = html[html.index(f'id="version-{route.pk}"') : html.index(f'id="version-{later.pk}"')]
    second = html[html.index(f'id="version-{later.pk}"') :]
    assert "第 1 版" in first and "标牌已审核通过" in first and "今日执行" in first
    assert "第 2 版" in second and "待审核" in second and "今日执行" not in second


def test_bad_versions_are_refused_next_to_the_field_and_nothing_is_made(
    district_host: str,
) -> None:
    route = make_route()
    first, second, _third = route.stops.all()
    client = district_client(district_host)
    url = f"/transport/routes/{route.pk}/versions/new/"
    one = {f"order_{first.pk}": "1", f"at_{first.pk}": "07:00"}
    cases: list[tuple[dict[str, Any], str | None]] = [
        # Times falling with the order: the service refuses, above the form.
        (
            {**one, f"order_{second.pk}": "2", f"at_{second.pk}": "06:50", "weekdays": ["1"]},
            None,
        ),
        (
            {**one, f"order_{second.pk}": "1", f"at_{second.pk}": "07:10", "weekdays": ["1"]},
            f"order_{second.pk}",
        ),
        ({f"order_{first.pk}": "1", "weekdays": ["1"]}, f"at_{first.pk}"),
        ({"weekdays": ["1"]}, None),
        (one, "weekdays"),
        (
            {**one, "weekdays": ["1"], "valid_from": "2027-03-02", "valid_until": "2027-03-01"},
            "valid_until",
        ),
    ]
    for data, field in cases:
        refused = client.post(url, {"once": form_key(client, url), **data})
        assert refused.status_code == 400, data
        html = refused.content.decode()
        assert (f'id="id_{field}_error"' if field else 'class="alert error" role="alert"') in html
    assert not Route.objects.filter(version_of=route).exists()


def test_an_auditor_reads_the_versions_without_the_link_to_add_one(district_host: str) -> None:
    route = make_route()
    auditor = signed_in(district_host, user_with_role(Role.AUDITOR, None))
    html = page(auditor, f"/transport/routes/{route.pk}/")
    assert route.code in html and "versions/new" not in html
    assert auditor.get(f"/transport/routes/{route.pk}/versions/new/").status_code == 404
