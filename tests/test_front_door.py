"""The front door on every host: sign-in and where it leads, the hand-over from the district host
to a school's host, password change, sign-out, and readable error pages (JSON under /api/)."""

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from houqin.roles import Role
from shared_apps.accounts.models import User
from tenants.models import School
from tenants.routing import school_host
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def _client(host: str) -> Client:
    return Client(SERVER_NAME=host)


def _sign_in(client: Client, user: User, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/signin/", {"username": user.username, "password": password, **extra})


def test_anonymous_home_goes_to_sign_in_and_back(school_a: School) -> None:
    client = _client(school_host(school_a.code))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/signin/?next=/"
    page = client.get("/signin/?next=/")
    assert page.status_code == 200
    assert "登录" in page.content.decode()


def test_a_member_signs_in_on_their_school_host_and_lands_home(school_a: School) -> None:
    user = user_with_role(Role.CANTEEN_MANAGER, school_a)
    client = _client(school_host(school_a.code))
    response = _sign_in(client, user, next="/password/")
    assert response.status_code == 302 and response["Location"] == "/password/"
    home = client.get("/")
    assert home.status_code == 200
    assert school_a.name in home.content.decode()


def test_a_wrong_password_is_refused_next_to_the_form(school_a: School) -> None:
    user = user_with_role(Role.CANTEEN_MANAGER, school_a)
    response = _sign_in(_client(school_host(school_a.code)), user, password="wrong")
    assert response.status_code == 400
    assert "无法" in response.content.decode()


def test_a_member_of_another_school_cannot_sign_in_here(school_a: School, school_b: School) -> None:
    user = user_with_role(Role.PRINCIPAL, school_b)
    response = _sign_in(_client(school_host(school_a.code)), user)
    assert response.status_code == 400


def test_an_offsite_next_is_ignored(school_a: School) -> None:
    user = user_with_role(Role.CANTEEN_MANAGER, school_a)
    response = _sign_in(_client(school_host(school_a.code)), user, next="https://evil.example/")
    assert response["Location"] == "/"


def test_the_district_host_hands_a_school_member_over_once(
    school_a: School, district_host: str
) -> None:
    user = user_with_role(Role.PRINCIPAL, school_a)
    district = _client(district_host)
    assert _sign_in(district, user).status_code == 302
    sent = district.get("/")
    assert sent.status_code == 302
    target = urlsplit(sent["Location"])
    assert target.hostname == school_host(school_a.code)
    assert target.path == "/signin/handover/"
    school = _client(school_host(school_a.code))
    landed = school.get(f"{target.path}?{target.query}")
    assert landed.status_code == 302 and landed["Location"] == "/"
    assert school.get("/").status_code == 200
    # The pass works once: a second browser holding it gets the sign-in page.
    again = _client(school_host(school_a.code)).get(f"{target.path}?{target.query}")
    assert again["Location"] == "/signin/"


def test_a_pass_for_one_school_opens_no_other(
    school_a: School, school_b: School, district_host: str
) -> None:
    user = user_with_role(Role.PRINCIPAL, school_a)
    district = _client(district_host)
    _sign_in(district, user)
    target = urlsplit(district.get("/")["Location"])
    other = _client(school_host(school_b.code))
    assert other.get(f"{target.path}?{target.query}")["Location"] == "/signin/"
    assert other.get("/").status_code == 302


def test_a_member_of_two_schools_chooses(
    school_a: School, school_b: School, district_host: str
) -> None:
    user = user_with_role(Role.PRINCIPAL, school_a)
    from shared_apps.accounts.models import Membership

    Membership.objects.create(user=user, role=Role.STAFF, school=school_b)
    district = _client(district_host)
    _sign_in(district, user)
    chooser = district.get("/")
    assert chooser.status_code == 200
    page = chooser.content.decode()
    assert school_a.name in page and school_b.name in page
    go = district.get(f"/schools/{school_b.pk}/go/")
    assert urlsplit(go["Location"]).hostname == school_host(school_b.code)


def test_district_staff_land_on_the_district_home(district_host: str) -> None:
    user = user_with_role(Role.FINANCE_OFFICER, None)
    client = _client(district_host)
    _sign_in(client, user)
    assert client.get("/").status_code == 200


def test_password_change(school_a: School) -> None:
    user = user_with_role(Role.CANTEEN_MANAGER, school_a)
    client = _client(school_host(school_a.code))
    _sign_in(client, user)
    wrong = client.post(
        "/password/", {"current": "nope", "new": "Another-pass-2027", "again": "Another-pass-2027"}
    )
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.content.decode()
    weak = client.post("/password/", {"current": PASSWORD, "new": "12345678", "again": "12345678"})
    assert weak.status_code == 400
    done = client.post(
        "/password/",
        {"current": PASSWORD, "new": "Another-pass-2027", "again": "Another-pass-2027"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-pass-2027")
    # Still signed in after the change.
    assert client.get("/").status_code == 200


def test_sign_out_is_a_post(school_a: School) -> None:
    user = user_with_role(Role.CANTEEN_MANAGER, school_a)
    client = _client(school_host(school_a.code))
    _sign_in(client, user)
    assert client.get("/signout/").status_code == 405
    assert client.post("/signout/")["Location"] == "/signin/"
    assert client.get("/").status_code == 302


def test_error_pages_are_pages_and_the_api_stays_json(school_a: School) -> None:
    client = _client(school_host(school_a.code))
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    assert "返回首页" in page.content.decode()
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_the_policy_allows_no_inline_style_or_script(school_a: School) -> None:
    policy = _client(school_host(school_a.code)).get("/signin/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy


def test_the_favicon_and_static_files_are_served(school_a: School) -> None:
    client = _client(school_host(school_a.code))
    assert client.get("/favicon.ico")["Location"] == "/static/houqin/favicon.svg"
