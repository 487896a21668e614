"""The tenant-aware admin: each host shows only the models its schema stores, only to users holding
a role there, and only the rows those roles allow."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.test.utils import override_settings
from django.utils import translation

from houqin.admin import stored_here
from houqin.roles import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import Change, Finding, SecurityEvent
from tenant_apps.feedback.models import Feedback
from tenant_apps.people.models import Student
from tenants.models import Domain, School
from tenants.routing import school_host
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

DISTRICT_MODELS: set[type[models.Model]] = {School, Domain, User, Membership}
SCHOOL_MODELS: set[type[models.Model]] = {Feedback}
AUDIT_MODELS: set[type[models.Model]] = {Change, SecurityEvent, Finding}


def admin_client(host: str, user: User | None = None) -> Client:
    """A browser on `host`, signed in through the admin's own login form when given a user."""
    client = Client(HTTP_HOST=host)
    if user is not None:
        response = login(client, user.username)
        assert response.status_code == 302, f"{user.username} could not sign in on {host}"
        assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def login(client: Client, username: str) -> Any:
    with translation.override("en"):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": PASSWORD, "next": "/admin/"},
            HTTP_ACCEPT_LANGUAGE="en",
        )


def listed_models(response: Any) -> set[type[models.Model]]:
    """The models the admin index offers, read from the context it rendered."""
    assert response.status_code == 200, response.content[:500]
    return {m["model"] for app in response.context["app_list"] for m in app["models"]}


def make_feedback(author: User, subject: str) -> Feedback:
    return Feedback.objects.create(
        author=author, category=Feedback.Category.COMPLAINT, subject=subject, body="…"
    )


def change_url(obj: models.Model) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


# 1. Each host's admin index lists the models its schema stores, and no others.


def test_district_admin_index_lists_district_models_only(district_host: str) -> None:
    user = user_with_role(Role.DISTRICT_ADMIN)
    response = admin_client(district_host, user).get("/admin/")
    listed = listed_models(response)
    assert {School, User, Membership} <= listed
    assert not listed & SCHOOL_MODELS
    html = response.content.decode()
    assert "/admin/tenants/school/" in html
    assert "/admin/accounts/user/" in html
    assert "/admin/accounts/membership/" in html
    assert "/admin/feedback/" not in html


def test_auditor_on_district_host_sees_the_trail_but_no_school_models(district_host: str) -> None:
    # The auditor may view everything (`*.view_*`): only the host decides what is listed.
    user = user_with_role(Role.AUDITOR)
    listed = listed_models(admin_client(district_host, user).get("/admin/"))
    assert {Change, SecurityEvent, Finding, School, User} <= listed
    assert not listed & SCHOOL_MODELS


def test_principal_index_on_school_host_lists_feedback_only(school_a: School) -> None:
    # The principal's grants include accounts.view_user / view_membership, which are district
    # tables: the school's admin must not offer them.
    user = user_with_role(Role.PRINCIPAL, school_a)
    response = admin_client(school_host(school_a.code), user).get("/admin/")
    listed = listed_models(response)
    assert Feedback in listed
    assert not listed & (DISTRICT_MODELS | AUDIT_MODELS)
    html = response.content.decode()
    assert "/admin/feedback/feedback/" in html
    for prefix in ("/admin/accounts/", "/admin/tenants/", "/admin/audit/"):
        assert prefix not in html


def test_principal_cannot_open_district_models_on_school_host(school_a: School) -> None:
    user = user_with_role(Role.PRINCIPAL, school_a)
    client = admin_client(school_host(school_a.code), user)
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get(change_url(user)).status_code in (302, 403, 404)
    assert client.get("/admin/accounts/membership/").status_code == 403


def test_stored_here_follows_the_schema_in_force(school_a: School, in_school: Any) -> None:
    assert stored_here(School) and not stored_here(Feedback)
    with in_school(school_a):
        assert stored_here(Feedback) and not stored_here(School)


# 2. Signing in is per host: a role elsewhere does not open this school's admin.


def test_member_of_the_school_signs_in_with_the_form(school_a: School) -> None:
    user = user_with_role(Role.PRINCIPAL, school_a)
    client = admin_client(school_host(school_a.code))
    response = login(client, user.username)
    assert response.status_code == 302, response.content[:500]
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", [None, Role.PRINCIPAL])
def test_user_without_a_role_in_the_school_cannot_sign_in(
    school_a: School, school_b: School, role: Role | None
) -> None:
    # No role at all, or a role in school B only.
    user = user_with_role(role, school_b if role else None)
    client = admin_client(school_host(school_a.code))
    with override_settings(LANGUAGE_CODE="en"):
        response = login(client, user.username)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["invalid_login"]
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_wrong_password_and_right_password_answer_alike_for_a_stranger(school_a: School) -> None:
    stranger = user_with_role(None)
    client = admin_client(school_host(school_a.code))
    with override_settings(LANGUAGE_CODE="en"):
        wrong = client.post("/admin/login/", {"username": stranger.username, "password": "not-it"})
        right = login(client, stranger.username)
    assert wrong.status_code == right.status_code == 200
    assert "_auth_user_id" not in client.session


def test_school_b_session_does_not_open_school_a_admin(school_a: School, school_b: School) -> None:
    principal_b = user_with_role(Role.PRINCIPAL, school_b)
    host_b, host_a = school_host(school_b.code), school_host(school_a.code)
    client = admin_client(host_b, principal_b)
    assert client.get("/admin/", HTTP_HOST=host_b).status_code == 200
    # Browsers keep the cookie on B's host; the test client sends it anywhere, so this checks the
    # second wall: even with B's session presented, A's admin answers as if signed out.
    for path in ("/admin/", "/admin/feedback/feedback/"):
        response = client.get(path, HTTP_HOST=host_a)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")
    # ... and the district centre's too.
    response = client.get("/admin/", HTTP_HOST="localhost")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_session_cookie_is_host_only(school_b: School) -> None:
    principal_b = user_with_role(Role.PRINCIPAL, school_b)
    client = admin_client(school_host(school_b.code))
    response = login(client, principal_b.username)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["domain"] == ""  # no Domain attribute: the browser keeps it on B's host
    assert cookie["httponly"]


# 3. A school's admin never reaches another school's rows.


def test_principal_cannot_open_another_schools_feedback(
    school_a: School, school_b: School, in_school: Callable[[School], Any]
) -> None:
    principal_a = user_with_role(Role.PRINCIPAL, school_a)
    principal_b = user_with_role(Role.PRINCIPAL, school_b)
    with in_school(school_a):
        own = make_feedback(principal_a, "feedback of A")
    with in_school(school_b):
        # Advance B's rows past A's so that B's id names no row in A.
        for n in range(3):
            make_feedback(principal_b, f"filler {n}")
        foreign = make_feedback(principal_b, "confidential complaint of B")
    with in_school(school_a):
        Feedback.objects.filter(pk=foreign.pk).delete()
        assert not Feedback.objects.filter(pk=foreign.pk).exists()
    assert foreign.pk != own.pk

    client_a = admin_client(school_host(school_a.code), principal_a)
    # Control: the same URL shape opens A's own row.
    ok = client_a.get(change_url(own))
    assert ok.status_code == 200
    assert "feedback of A" in ok.content.decode()

    for url in (
        change_url(foreign),
        f"/admin/feedback/feedback/{foreign.pk}/delete/",
        f"/admin/feedback/feedback/{foreign.pk}/history/",
    ):
        response = client_a.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "confidential complaint of B" not in response.content.decode()
    listing = client_a.get("/admin/feedback/feedback/")
    assert listing.status_code == 200
    assert "confidential complaint of B" not in listing.content.decode()
    assert "filler" not in listing.content.decode()

    # A POST to B's id in A's admin changes nothing in B.
    response = client_a.post(
        change_url(foreign),
        {"category": "praise", "subject": "overwritten", "body": "x", "status": "open"},
    )
    assert response.status_code in (302, 403, 404)
    with in_school(school_b):
        assert Feedback.objects.get(pk=foreign.pk).subject == "confidential complaint of B"

    # On B's host, B's principal does see it: the row is real.
    response = admin_client(school_host(school_b.code), principal_b).get(change_url(foreign))
    assert response.status_code == 200
    assert "confidential complaint of B" in response.content.decode()


# 4. The audit trail: read-only for the auditor, closed to the district administrator.


@pytest.fixture
def a_change(db: Any) -> Change:
    user_with_role(None)  # an INSERT into accounts_user, recorded by the trigger
    change = Change.objects.across_schools().order_by("-id").first()
    assert change is not None
    return change


def test_auditor_reads_the_trail_but_cannot_add_change_or_delete(
    district_host: str, a_change: Change
) -> None:
    auditor = user_with_role(Role.AUDITOR)
    client = admin_client(district_host, auditor)

    listing = client.get("/admin/audit/change/")
    assert listing.status_code == 200
    assert listing.context["has_add_permission"] is False
    action_form = listing.context["action_form"]
    actions = dict(action_form.fields["action"].choices) if action_form is not None else {}
    assert "delete_selected" not in actions
    assert "/admin/audit/change/add/" not in listing.content.decode()

    assert client.get("/admin/audit/change/add/").status_code == 403
    assert client.post("/admin/audit/change/add/", {"row_id": "1"}).status_code == 403

    detail = client.get(change_url(a_change))
    assert detail.status_code == 200  # the view page, read-only
    assert detail.context["has_change_permission"] is False
    assert detail.context["has_delete_permission"] is False
    assert client.post(change_url(a_change), {"row_id": "forged"}).status_code == 403

    delete_url = f"/admin/audit/change/{a_change.pk}/delete/"
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/audit/change/",
        {"action": "delete_selected", "_selected_action": [a_change.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert Change.objects.across_schools().filter(pk=a_change.pk).exists()
    a_change.refresh_from_db()
    assert a_change.row_id != "forged"


@pytest.mark.parametrize("path", ["/admin/audit/change/", "/admin/audit/securityevent/"])
def test_district_admin_cannot_see_the_trail(
    district_host: str, a_change: Change, path: str
) -> None:
    admin = user_with_role(Role.DISTRICT_ADMIN)
    client = admin_client(district_host, admin)
    assert client.get(path).status_code == 403
    assert client.get(f"{path}add/").status_code == 403
    if path == "/admin/audit/change/":
        assert client.get(change_url(a_change)).status_code == 403
    index = listed_models(client.get("/admin/"))
    assert not index & {Change, SecurityEvent}


# 5. Own-only grants give no admin changelist.


def test_student_sees_no_feedback_changelist(
    school_a: School, in_school: Callable[[School], Any]
) -> None:
    student = user_with_role(Role.STUDENT, school_a)
    with in_school(school_a):
        mine = make_feedback(student, "my own complaint")
    client = admin_client(school_host(school_a.code), student)
    assert client.get("/admin/feedback/feedback/").status_code == 403
    # Own-only grants do not reach the admin's per-row views either.
    assert client.get(change_url(mine)).status_code == 403


@pytest.mark.parametrize("role", [Role.STUDENT, Role.STAFF])
def test_own_only_member_index_offers_no_feedback_listing(school_a: School, role: Role) -> None:
    member = user_with_role(role, school_a)
    response = admin_client(school_host(school_a.code), member).get("/admin/")
    assert response.status_code == 200
    assert '/admin/feedback/feedback/"' not in response.content.decode()
    for app in response.context["app_list"]:
        for entry in app["models"]:
            assert entry["perms"].get("view") is not True or entry["model"] is not Feedback


# The admin's own log is public and knows no school: it must not mix schools' histories.


def test_history_of_a_row_never_shows_another_schools_changes(
    school_a: School, school_b: School, in_school: Callable[[School], Any]
) -> None:
    director_a = user_with_role(Role.LOGISTICS_DIRECTOR, school_a)
    director_b = user_with_role(Role.LOGISTICS_DIRECTOR, school_b)
    shared_id = 9_000_001  # the same id in both schools
    for school, name in ((school_a, "row of A"), (school_b, "row of B")):
        with in_school(school):
            Student.objects.create(
                pk=shared_id, student_number=f"H{school.code}", name=name, gender="female", grade=2
            )
    client_b = admin_client(school_host(school_b.code), director_b)
    response = client_b.post(
        f"/admin/people/student/{shared_id}/change/",
        {
            "student_number": f"H{school_b.code}",
            "name": "edited in B",
            "gender": "female",
            "grade": "2",
            "class_name": "",
            "status": "active",
        },
    )
    # The register is written here, through the service; the admin's log is not.
    assert response.status_code == 302, response.content[:500]
    with in_school(school_b):
        assert Student.objects.get(pk=shared_id).name == "edited in B"

    client_a = admin_client(school_host(school_a.code), director_a)
    history = client_a.get(f"/admin/people/student/{shared_id}/history/")
    assert history.status_code == 200
    assert "row of A" in history.content.decode()
    assert director_b.username not in history.content.decode()
    assert [entry.user_id for entry in history.context["action_list"]] == []


def test_principal_adds_feedback_in_the_admin_as_its_author(
    school_a: School, in_school: Callable[[School], Any]
) -> None:
    principal = user_with_role(Role.PRINCIPAL, school_a)
    client = admin_client(school_host(school_a.code), principal)
    client.raise_request_exception = False
    assert client.get("/admin/feedback/feedback/add/").status_code == 200
    response = client.post(
        "/admin/feedback/feedback/add/",
        {
            "category": "suggestion",
            "subject": "added in the admin",
            "body": "y",
            "status": "open",
            "response": "",
            "due_at_0": "2030-01-01",
            "due_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.status_code
    with in_school(school_a):
        assert Feedback.objects.get(subject="added in the admin").author_id == principal.pk


def test_users_are_deactivated_never_deleted_in_the_admin(school_a: School) -> None:
    admin_user = user_with_role(Role.DISTRICT_ADMIN)
    victim = user_with_role(Role.PRINCIPAL, school_a)
    client = admin_client("localhost", admin_user)
    assert client.get(f"/admin/accounts/user/{victim.pk}/delete/").status_code == 403
    assert client.get(f"/admin/accounts/user/{victim.pk}/change/").status_code == 200
