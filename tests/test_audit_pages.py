"""The auditor's pages, through Django's test client: the trail as people read it (who by name and
role, what by its model's name and its title linked to its page, fields before and after, where,
which request), searchable; each record's history; security events, sign-ins apart; findings with
rectification deadlines. Read-only everywhere else: no write controls, writes refused."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from houqin.roles import REGISTRY, Role
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import Change, Finding, SecurityEvent
from tenant_apps.people.models import Student
from tenants.models import School
from tenants.routing import school_host
from tenants.services import school_reactivate
from tests.factories import PASSWORD, make_user, user_with_role
from tests.matrix.people import make_student
from tests.web import once_key, signed_in

pytestmark = pytest.mark.django_db
R = Role


@pytest.fixture
def auditor(district_host: str) -> Client:
    return signed_in(district_host, user_with_role(R.AUDITOR, display_name="审计员老周"))


def _zh(text: object) -> str:
    with translation.override("zh-hans"):
        return str(text)


def _suspended_by_hand(district_host: str, school: School) -> User:
    """The district administrator suspends the school on its page."""
    admin = user_with_role(R.DISTRICT_ADMIN, display_name="李管理")
    client = signed_in(district_host, admin)
    sent = client.post(f"/schools/{school.pk}/suspend/", {"reason": "食品安全整改"})
    assert sent.status_code == 302
    return admin


def test_the_trail_says_who_did_what_where_in_words(
    auditor: Client, district_host: str, school_b: School
) -> None:
    _suspended_by_hand(district_host, school_b)
    change = Change.objects.across_schools().filter(table_name="tenants_school").latest("id")
    page = auditor.get("/audit/trail/?object_type=tenants_school").content.decode()
    # Who: their name and role; what: the model's name and the row's title, linked to its page.
    assert "李管理" in page and _zh(REGISTRY[R.DISTRICT_ADMIN].label) in page
    assert _zh(School._meta.verbose_name).capitalize() in page
    assert f'<a href="/schools/{school_b.pk}/">{school_b}</a>' in page
    # The fields changed, by their names, before and after.
    assert _zh(School._meta.get_field("status").verbose_name).capitalize() in page
    active, suspended = _zh(School.Status.ACTIVE.label), _zh(School.Status.SUSPENDED.label)
    assert f"<del>{active}</del> → <ins>{suspended}</ins>" in page
    assert "<ins>食品安全整改</ins>" in page
    # Where, and which request (which leads to everything that request did).
    assert "区中心" in page
    assert change.request_id and f"?request_id={change.request_id}" in page
    one_request = auditor.get(f"/audit/trail/?request_id={change.request_id}").content.decode()
    assert "仅显示请求" in one_request and "食品安全整改" in one_request


def test_the_trail_is_searched_by_school_person_kind_and_day(
    auditor: Client, district_host: str, school_a: School, school_b: School
) -> None:
    _suspended_by_hand(district_host, school_b)
    student = make_student(school_a.schema_name, name="陈小明")
    by_person = auditor.get("/audit/trail/?person=李管理").content.decode()
    assert "食品安全整改" in by_person and "陈小明" not in by_person
    by_school = auditor.get(f"/audit/trail/?school={school_a.code}").content.decode()
    assert "陈小明" in by_school and "食品安全整改" not in by_school
    # A school's row leads to its page on the school's host; the system made it (no person).
    assert f"http://{school_host(school_a.code)}/people/students/{student.pk}/" in by_school
    assert "系统" in by_school
    by_kind = auditor.get("/audit/trail/?object_type=people_student").content.decode()
    assert _zh(Student._meta.verbose_name) in by_kind and "食品安全整改" not in by_kind
    tomorrow = timezone.localdate() + timedelta(days=1)
    later = auditor.get(f"/audit/trail/?date_from={tomorrow}").content.decode()
    assert "陈小明" not in later and "没有符合条件" in later


def test_each_record_has_its_history(auditor: Client, district_host: str, school_b: School) -> None:
    _suspended_by_hand(district_host, school_b)
    school_page = auditor.get(f"/schools/{school_b.pk}/").content.decode()
    history = f"/audit/history/public/tenants_school/{school_b.pk}/"
    assert f'href="{history}"' in school_page
    page = auditor.get(history).content.decode()
    assert str(school_b) in page and "食品安全整改" in page
    assert auditor.get("/audit/history/public/tenants_school/999999999/").status_code == 404


def test_a_school_page_links_its_history_on_the_district_host(school_a: School) -> None:
    student = make_student(school_a.schema_name)
    client = signed_in(school_host(school_a.code), user_with_role(R.AUDITOR))
    page = client.get(f"/people/students/{student.pk}/").content.decode()
    assert f"http://localhost/audit/history/{school_a.schema_name}/people_student/" in page


def _rows_of(page: str) -> str:
    """A list page's rows, without its filters."""
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_sign_ins_are_kept_apart_from_the_other_security_events(
    auditor: Client, district_host: str
) -> None:
    user = user_with_role(R.FINANCE_OFFICER, display_name="财务王")
    visitor = Client(SERVER_NAME=district_host)
    visitor.post("/signin/", {"username": user.username, "password": "wrong-password"})
    visitor.post("/signin/", {"username": user.username, "password": PASSWORD})
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.TOKEN_CREATED, schema_name="public", user_id=user.pk
    )
    sign_ins = _rows_of(auditor.get("/audit/security/?group=sign_ins").content.decode())
    assert _zh(SecurityEvent.Kind.LOGIN_FAILED.label) in sign_ins
    assert _zh(SecurityEvent.Kind.LOGIN.label) in sign_ins and "财务王" in sign_ins
    assert _zh(SecurityEvent.Kind.TOKEN_CREATED.label) not in sign_ins
    others = _rows_of(auditor.get("/audit/security/?group=others").content.decode())
    assert _zh(SecurityEvent.Kind.TOKEN_CREATED.label) in others
    assert _zh(SecurityEvent.Kind.LOGIN_FAILED.label) not in others


def test_findings_with_a_rectification_deadline(
    auditor: Client, district_host: str, school_a: School
) -> None:
    form = auditor.get("/audit/findings/new/").content.decode()
    yesterday = timezone.localdate() - timedelta(days=1)
    finding = {
        "school": school_a.pk,
        "title": "留样不足",
        "body": "三月两次未留样",
        "severity": "medium",
        "rectify_by": str(yesterday),
        "once": once_key(form),
    }
    refused = auditor.post("/audit/findings/new/", finding)
    assert refused.status_code == 400
    assert re.search(r'id="id_rectify_by_error">整改期限不能早于今天', refused.content.decode())
    soon = timezone.localdate() + timedelta(days=3)
    recorded = auditor.post("/audit/findings/new/", {**finding, "rectify_by": str(soon)})
    assert recorded.status_code == 302
    made = Finding.objects.for_school(school_a).get(title="留样不足")
    assert made.rectify_by == soon and made.created_by.display_name == "审计员老周"
    # Due within the week: on the home page and the list of findings due.
    home = auditor.get("/").content.decode()
    assert "整改到期的审计发现" in home
    assert "留样不足" in auditor.get("/audit/findings/?due=true").content.decode()
    followed = auditor.post(
        f"/audit/findings/{made.pk}/follow-up/",
        {"status": "rectifying", "severity": "medium", "rectify_by": str(soon)},
    )
    assert followed.status_code == 302
    made.refresh_from_db()
    assert made.status == Finding.Status.RECTIFYING


FRAME_FORMS = {"/signout/", "/i18n/setlang/"}


def _write_controls(page: str) -> list[str]:
    """The forms a page posts, but the frame's own (sign-out, language)."""
    forms = re.findall(r'<form method="post"(?: action="([^"]*)")?', page)
    return [action for action in forms if action not in FRAME_FORMS]


def test_the_auditor_sees_no_write_controls_and_writes_are_refused(
    auditor: Client, district_host: str, school_a: School, school_b: School
) -> None:
    member = make_user(school=school_a)
    Membership.objects.create(user=member, role=R.CANTEEN_MANAGER.value, school=school_a)
    district_pages = [
        "/schools/",
        f"/schools/{school_b.pk}/",
        "/schools/imports/",
        "/accounts/",
        f"/accounts/{member.pk}/",
        "/audit/trail/",
        "/audit/security/",
    ]
    for url in district_pages:
        response = auditor.get(url)
        assert response.status_code == 200, url
        assert _write_controls(response.content.decode()) == [], url
    student = make_student(school_a.schema_name)
    on_school = signed_in(school_host(school_a.code), user_with_role(R.AUDITOR))
    for url in [
        "/people/students/",
        f"/people/students/{student.pk}/",
        "/people/staff/",
        "/accounts/",
        f"/accounts/{member.pk}/",
    ]:
        response = on_school.get(url)
        assert response.status_code == 200, url
        assert _write_controls(response.content.decode()) == [], url
    before = Change.objects.across_schools().count()
    for url, data in [
        (f"/schools/{school_b.pk}/suspend/", {"reason": "x"}),
        ("/schools/import/", {}),
        ("/accounts/new/", {"username": "x", "password": "Strong-pass-2026"}),
        (f"/accounts/{member.pk}/roles/", {"role": "staff", "school": school_a.pk}),
        (f"/accounts/{member.pk}/password/", {"password": "Strong-pass-2026"}),
    ]:
        assert auditor.post(url, data).status_code == 404, url
    assert on_school.post(f"/people/students/{student.pk}/national-id/").status_code == 404
    assert Change.objects.across_schools().count() == before


def test_the_trail_costs_the_same_however_many_changes(auditor: Client, school_a: School) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert auditor.get("/audit/trail/").status_code == 200
        # A title that would need another row is refused before its query is sent (its SQL is
        # never run, and so never known): only what reached the database counts.
        return sum(1 for query in queries.captured_queries if query["sql"] is not None)

    def changes() -> None:
        """A school's row and a district row, each changed by a person."""
        make_student(school_a.schema_name)
        school_reactivate(school=school_a, reason="复查", actor=user_with_role(R.DISTRICT_ADMIN))

    changes()
    few = count()
    for _ in range(3):
        changes()
    assert count() == few
