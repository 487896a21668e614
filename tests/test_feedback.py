"""Feedback in a school: own rows for members, all rows for managers, single rows by grant."""

from guardian.models import UserObjectPermission

from houqin.db import tenant_db
from houqin.roles import Role
from tenants.routing import school_host
from tests.conftest import HostClient
from tests.factories import user_with_role


def _submit(client, subject="建议"):
    response = client.post(
        "/api/v1/feedback/",
        {"category": "suggestion", "subject": subject, "body": "正文"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_members_see_their_own_and_managers_see_all(client_for, school_a):
    alice = client_for(school_a, Role.STUDENT)
    bob = client_for(school_a, Role.STAFF)
    mine = _submit(alice, "alice")
    _submit(bob, "bob")
    assert [f["subject"] for f in alice.get("/api/v1/feedback/").json()["results"]] == ["alice"]
    assert alice.get(f"/api/v1/feedback/{mine['id']}/").status_code == 200
    principal = client_for(school_a, Role.PRINCIPAL)
    assert {f["subject"] for f in principal.get("/api/v1/feedback/").json()["results"]} >= {
        "alice",
        "bob",
    }


def test_an_object_grant_lets_one_member_answer_one_item(client_for, school_a, in_school):
    item = _submit(client_for(school_a, Role.STUDENT))
    other = _submit(client_for(school_a, Role.STUDENT))
    cook = user_with_role(Role.CANTEEN_MANAGER, school_a)
    cook_client = HostClient(school_host(school_a.code), cook)
    assert cook_client.get(f"/api/v1/feedback/{item['id']}/").status_code == 404
    director = client_for(school_a, Role.LOGISTICS_DIRECTOR)
    assigned = director.post(
        f"/api/v1/feedback/{item['id']}/assign/", {"username": cook.username}, format="json"
    )
    assert assigned.status_code == 200, assigned.content
    # The grant lives in the school's schema, not in the district's.
    with in_school(school_a):
        assert UserObjectPermission.objects.filter(user=cook).count() == 2
    assert tenant_db().schema_name == "public"
    assert not UserObjectPermission.objects.filter(user=cook).exists()
    listed = cook_client.get("/api/v1/feedback/").json()["results"]
    assert [f["id"] for f in listed] == [item["id"]]
    assert cook_client.get(f"/api/v1/feedback/{other['id']}/").status_code == 404
    answered = cook_client.post(
        f"/api/v1/feedback/{item['id']}/respond/", {"response": "已增加蔬菜"}, format="json"
    )
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    again = director.post(
        f"/api/v1/feedback/{item['id']}/respond/", {"response": "再答"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_answered"


def test_assigning_to_a_non_member_is_refused(client_for, school_a, school_b):
    item = _submit(client_for(school_a, Role.STUDENT))
    outsider = user_with_role(Role.CANTEEN_MANAGER, school_b)
    response = client_for(school_a, Role.PRINCIPAL).post(
        f"/api/v1/feedback/{item['id']}/assign/", {"username": outsider.username}, format="json"
    )
    assert response.status_code == 400


def test_feedback_is_assigned_only_to_the_schools_staff(client_for, school_a, in_school):
    """A supplier's account (a district role, external), a district officer and a student hold
    no staff role in the school: feedback is not assigned to them, and they read nothing."""
    item = _submit(client_for(school_a, Role.STUDENT))
    supplier = user_with_role(Role.SUPPLIER, external=True)
    officer = user_with_role(Role.FINANCE_OFFICER)
    student = user_with_role(Role.STUDENT, school_a)
    director = client_for(school_a, Role.LOGISTICS_DIRECTOR)
    for assignee in (supplier, officer, student):
        response = director.post(
            f"/api/v1/feedback/{item['id']}/assign/",
            {"username": assignee.username},
            format="json",
        )
        assert response.status_code == 400, (assignee, response.content)
        assert response.json()["error"]["code"] == "not_school_staff"
        with in_school(school_a):
            assert not UserObjectPermission.objects.filter(user=assignee).exists()
    read = HostClient(school_host(school_a.code), supplier).get(f"/api/v1/feedback/{item['id']}/")
    assert read.status_code in (401, 403, 404)
