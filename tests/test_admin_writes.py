"""The admin writes only through the services.

Generated over every model registered on the admin site, on the host whose schema stores it:

- a model admin that names no service for adding, changing or deleting refuses it to everyone,
  even to an account holding every role there, and its inlines are read-only;
- where it names one, the write reaches that service with the user as its actor and nothing
  beside it writes (the admin's own log aside); a refusal from the service is shown on the
  form and leaves nothing behind;
- every change-list action is a service, held to the same.

Then the services' own refusals, as the admin shows them: an archived school stays archived, a
suspension needs its reason, nobody deactivates themselves, a national ID number is checked.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.db import models
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context
from typing_extensions import override

from houqin.admin import ScopedModelAdmin, ServiceAction, ServiceCall, site, stored_in_schools
from houqin.exceptions import Conflict
from houqin.roles import DISTRICT_ROLES, DISTRICT_STAFF_ROLES, SCHOOL_ROLES, Role
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import Change, Finding
from shared_apps.standards.models import Food, MealPlan
from shared_apps.subsidies.models import Programme
from tenant_apps.feedback.models import Feedback
from tenant_apps.people.models import StaffMember, Student
from tenants.models import School
from tenants.routing import school_host
from tenants.services import school_archive
from tests.conftest import SCHOOL_A
from tests.factories import SETUP, make_user, user_with_role
from tests.matrix import Scene
from tests.matrix.admin import row_id
from tests.matrix.people import national_id_for

pytestmark = pytest.mark.django_db

ADMINS: "list[tuple[type[models.Model], ModelAdmin[Any]]]" = sorted(
    site._registry.items(), key=lambda item: item[0]._meta.label
)
KINDS = ("add", "change", "delete")
ADMIN_LOG = "django_admin_log"


def _school_a() -> School:
    return School.objects.get(code=SCHOOL_A)


# What a user types into each form the admin writes through a service: the add form, and a
# row's form (its row made as the matrix makes it).
TYPED: dict[type[models.Model], dict[str, Callable[[], dict[str, Any]]]] = {
    Finding: {
        "add": lambda: {
            "school": _school_a().pk,
            "title": "食堂留样不足",
            "body": "三月两次未留样",
            "severity": "medium",
        },
        "change": lambda: {"status": "rectifying"},
    },
    User: {"change": lambda: {"display_name": "新名字", "is_active": False}},
    Programme: {
        "add": lambda: {
            "code": "admin-programme",
            "name": "后台补助",
            "daily_rate": "5.00",
            "carry_over": "none",
            "active": True,
        },
        "change": lambda: {"daily_rate": "6.00"},
    },
    Food: {
        "add": lambda: {
            "code": "A00001",
            "name": "后台食物",
            "food_group": "vegetables",
            "edible_pct": "90",
            "energy_kcal": "20",
            "protein_g": "1.5",
            "fat_g": "0.2",
            "carbohydrate_g": "3.0",
            "fibre_g": "1.0",
            "calcium_mg": "50",
            "iron_mg": "1.2",
            "zinc_mg": "0.3",
            "vitamin_a_ug": "100",
            "vitamin_b1_mg": "0.03",
            "vitamin_b2_mg": "0.05",
            "vitamin_c_mg": "20",
            "sodium_mg": "30",
            "source": "测试来源",
        },
        "change": lambda: {"note": "复核"},
    },
    MealPlan: {
        "add": lambda: {"week_start": "2038-01-04", "age_band": "6-8", "title": "后台新建"},
        "change": lambda: {"title": "第一周"},
        "delete": lambda: {"post": "yes"},
    },
    Feedback: {"add": lambda: {"category": "suggestion", "subject": "建议", "body": "多些蔬菜"}},
    Student: {
        "add": lambda: {
            "student_number": "A0000001",
            "name": "王五",
            "gender": "female",
            "grade": "1",
            "national_id": national_id_for(7, born="20180601"),
        },
        "change": lambda: {"class_name": "4班"},
    },
    StaffMember: {
        "add": lambda: {"name": "钱七", "position": "dorm_keeper", "phone": "13900139000"},
        "change": lambda: {"phone": "13800138000"},
    },
}


def _call(model_admin: Any, kind: str) -> ServiceCall | None:
    call: ServiceCall | None = getattr(model_admin, f"{kind}_through")
    return call


WRITES = [
    pytest.param(model, kind, id=f"{model._meta.label} {kind}")
    for model, model_admin in ADMINS
    for kind in KINDS
    if _call(model_admin, kind) is not None
]
REFUSED = [
    pytest.param(model, kind, id=f"{model._meta.label} {kind}")
    for model, model_admin in ADMINS
    for kind in KINDS
    if _call(model_admin, kind) is None
]
ACTIONS = [
    pytest.param(model, action, id=f"{model._meta.label} {action.__name__}")
    for model, model_admin in ADMINS
    for action in model_admin.actions or ()
    if isinstance(action, ServiceAction)
]


def _where(model: type[models.Model], school_a: School) -> School | None:
    return school_a if stored_in_schools(model) else None


def _host(where: School | None) -> str:
    return settings.DISTRICT_DOMAIN if where is None else school_host(where.code)


def _in(where: School | None) -> Any:
    return nullcontext() if where is None else schema_context(where.schema_name)


def _holder_of_every_role(where: School | None) -> User:
    """An account holding every role that holds on the host (which no real account may)."""
    user = make_user()
    roles = DISTRICT_ROLES if where is None else DISTRICT_STAFF_ROLES | SCHOOL_ROLES
    for role in roles:
        school = None if role in DISTRICT_ROLES else where
        Membership.objects.create(user=user, role=role.value, school=school)
    return user


def _browser(where: School | None, user: User) -> Client:
    client = Client(HTTP_HOST=_host(where), HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _url(model: type[models.Model], kind: str, pk: Any = None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return f"{base}add/" if kind == "add" else f"{base}{pk}/{kind}/"


@contextmanager
def _writes() -> Iterator[list[str]]:
    """The tables written to in the block, read from the audit trail once it ends."""
    before = (
        Change.objects.across_schools().order_by("-id").values_list("id", flat=True).first() or 0
    )
    tables: list[str] = []
    yield tables
    tables += (
        Change.objects.across_schools().filter(id__gt=before).values_list("table_name", flat=True)
    )


def _posted(page: Any, typed: dict[str, Any]) -> dict[str, Any]:
    """What a browser sends from the admin form on `page` once `typed` is typed into it: the
    form's values as shown, its inlines' management forms, and what was typed."""
    assert page.status_code == 200, page.content[:500]
    form = page.context["adminform"].form
    values: dict[str, Any] = {name: form[name].value() for name in form.fields}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        values |= {management.add_prefix(n): management[n].value() for n in management.fields}
    values |= typed
    sent: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or value is False:
            continue  # an empty field, an unticked box
        if value is True:
            sent[name] = "on"
        elif isinstance(value, datetime.date):
            sent[name] = value.isoformat()
        else:
            sent[name] = str(value)
    return sent


def _form_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _messages(response: Any) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in messages.get_messages(response.wsgi_request)]


# Every model admin: read-only, or writing through services --------------------------------------


def test_every_model_admin_writes_through_services_or_not_at_all() -> None:
    services = re.compile(r"^(tenants|shared_apps\.\w+|tenant_apps\.\w+)\.services(\.|$)")
    for model, model_admin in ADMINS:
        assert isinstance(model_admin, ScopedModelAdmin), model
        calls = [c for c in (_call(model_admin, k) for k in KINDS) if c is not None]
        for call in calls:
            assert services.match(call.service.__module__), (model, call.service)
        for action in model_admin.actions or ():
            assert isinstance(action, ServiceAction), (model, action)
            assert services.match(action.service.__module__), (model, action.service)
        written = {k for k in KINDS if _call(model_admin, k) is not None}
        assert written == set(TYPED.get(model, {})), f"declare what is typed into {model}"
        # The admin's own pages, no other: no password form, no import, no view of its own.
        opts = model._meta
        names = {pattern.name for pattern in model_admin.urls if pattern.name}
        assert names == {
            f"{opts.app_label}_{opts.model_name}_{page}"
            for page in ("changelist", "add", "history", "delete", "change")
        }, model
    # Deleting a selection would delete its rows in bulk.
    assert "delete_selected" not in {name for name, _action in site.actions}


def test_a_model_admin_cannot_save_or_delete_by_itself() -> None:
    with pytest.raises(TypeError, match="write around its services"):

        class Sneaky(ScopedModelAdmin):
            @override
            def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
                obj.save()

    with pytest.raises(TypeError, match="inlines save rows"):
        from django.contrib.admin import TabularInline

        class Rows(TabularInline):
            model = Membership

        class WithRows(ScopedModelAdmin):
            inlines = [Rows]


@pytest.mark.parametrize(("model", "kind"), REFUSED)
def test_what_no_service_writes_is_refused(
    school_a: School, model: type[models.Model], kind: str
) -> None:
    where = _where(model, school_a)
    user = _holder_of_every_role(where)
    client = _browser(where, user)
    pk = row_id(model, Scene(where)) if kind != "add" else None
    with _writes() as written:
        response = client.post(_url(model, kind, pk), {"post": "yes"})
    assert response.status_code == 403, response.status_code
    assert written == []
    model_admin = site._registry[model]
    request = RequestFactory().get("/", HTTP_HOST=_host(where))
    request.user = user
    with _in(where):
        obj = None if pk is None else model._base_manager.get(pk=pk)
        if kind == "add":
            assert not model_admin.has_add_permission(request)
        else:
            assert not getattr(model_admin, f"has_{kind}_permission")(request, obj)
        for inline in model_admin.get_inline_instances(request, obj):
            assert not inline.has_add_permission(request, obj), inline
            assert not inline.has_change_permission(request, obj), inline
            assert not inline.has_delete_permission(request, obj), inline


# A write through the service, and nothing beside it ---------------------------------------------


def _submit(model: type[models.Model], kind: str, client: Client, pk: Any) -> Any:
    """Fill in and send the form of `kind` (the confirmation of a deletion)."""
    typed = TYPED[model][kind]()
    if kind == "delete":
        return client.post(_url(model, kind, pk), typed)
    page = client.get(_url(model, kind, pk))
    return client.post(_url(model, kind, pk), _posted(page, typed))


@pytest.mark.parametrize(("model", "kind"), WRITES)
def test_a_write_reaches_its_service_and_nothing_else_writes(
    school_a: School, model: type[models.Model], kind: str
) -> None:
    where = _where(model, school_a)
    user = _holder_of_every_role(where)
    client = _browser(where, user)
    call = _call(site._registry[model], kind)
    assert call is not None
    pk = row_id(model, Scene(where))  # the row changed or deleted; the one a fake add returns
    with _in(where):
        row = model._base_manager.get(pk=pk)
    service = mock.Mock(return_value=row)
    with mock.patch.object(call, "service", service), _writes() as written:
        response = _submit(model, kind, client, pk)
    assert response.status_code == 302, response.content[:1000]
    service.assert_called_once()
    arguments = service.call_args.kwargs
    assert arguments["actor"] == user
    if call.row:
        assert arguments[call.row] == row
    typed = TYPED[model][kind]()
    if kind != "delete":
        assert set(arguments) - {"actor", call.row, *call.fixed} <= set(call.fields)
        assert {name for name in typed if name in call.fields} <= set(arguments), arguments
    # The service did nothing, and nothing else wrote: the admin's own log aside.
    assert set(written) <= {ADMIN_LOG}, written


@pytest.mark.parametrize(("model", "kind"), WRITES)
def test_a_refusal_from_the_service_is_shown_and_leaves_nothing(
    school_a: School, model: type[models.Model], kind: str
) -> None:
    where = _where(model, school_a)
    client = _browser(where, _holder_of_every_role(where))
    call = _call(site._registry[model], kind)
    assert call is not None
    pk = row_id(model, Scene(where))
    field = next(iter(TYPED[model][kind]()))
    refusal = Conflict("Refused by the service.", code="refused", fields={field: ["Not this."]})
    with mock.patch.object(call, "service", side_effect=refusal), _writes() as written:
        response = _submit(model, kind, client, pk)
    assert written == []
    if kind == "delete":
        assert response.status_code == 302
        assert response["Location"] == _url(model, "change", pk)
        assert (messages.ERROR, "Refused by the service.") in _messages(response)
        with _in(where):
            assert model._base_manager.filter(pk=pk).exists()
    else:
        errors = _form_errors(response)
        assert errors["__all__"] == ["Refused by the service."]
        assert errors.get(field, ["Not this."]) == ["Not this."]


@pytest.mark.parametrize(("model", "kind"), WRITES)
def test_the_service_does_the_write(school_a: School, model: type[models.Model], kind: str) -> None:
    where = _where(model, school_a)
    client = _browser(where, _holder_of_every_role(where))
    pk = row_id(model, Scene(where))
    with _in(where):
        before = model._base_manager.count()
    response = _submit(model, kind, client, pk)
    assert response.status_code == 302, _form_errors(response)
    with _in(where):
        rows = model._base_manager
        if kind == "add":
            assert rows.count() == before + 1
        elif kind == "delete":
            assert not rows.filter(pk=pk).exists()
        else:
            stored = rows.get(pk=pk)
            for name, value in TYPED[model][kind]().items():
                assert str(getattr(stored, name)) == str(value), name


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_an_action_reaches_its_service_for_each_row(
    school_a: School, model: type[models.Model], action: ServiceAction
) -> None:
    where = _where(model, school_a)
    user = _holder_of_every_role(where)
    client = _browser(where, user)
    pk = row_id(model, Scene(where))
    chosen = {"action": action.__name__, "_selected_action": [pk], "reason": "整改"}
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    service = mock.Mock()
    with mock.patch.object(action, "service", service), _writes() as written:
        response = client.post(base, chosen)
    assert response.status_code == 302
    service.assert_called_once()
    arguments = service.call_args.kwargs
    assert arguments["actor"] == user
    assert arguments[action.row].pk == pk
    assert written == []
    refusal = Conflict("Refused by the service.")
    with mock.patch.object(action, "service", side_effect=refusal), _writes() as written:
        response = client.post(base, chosen)
    assert response.status_code == 302
    assert any(m.endswith("Refused by the service.") for _l, m in _messages(response))
    assert written == []


# The services' own refusals, in the admin --------------------------------------------------------


def _school_action(client: Client, action: str, school: School, reason: str = "") -> Any:
    return client.post(
        "/admin/tenants/school/",
        {"action": action, "_selected_action": [school.pk], "reason": reason},
    )


def test_an_archived_school_stays_archived_in_the_admin(school_b: School) -> None:
    client = _browser(None, user_with_role(Role.DISTRICT_ADMIN))
    school_archive(school=school_b, reason="撤并", actor=SETUP)
    response = _school_action(client, "school_reactivate", school_b)
    assert response.status_code == 302
    assert (messages.ERROR, f"{school_b}: An archived school cannot be changed.") in _messages(
        response
    )
    school_b.refresh_from_db()
    assert (school_b.status, school_b.status_reason) == (School.Status.ARCHIVED, "撤并")
    # Nor is an archived school's status and reason edited on its page.
    response = client.post(
        f"/admin/tenants/school/{school_b.pk}/change/", {"status": "active", "status_reason": ""}
    )
    assert response.status_code == 403


def test_a_school_is_suspended_with_its_reason_in_the_admin(school_b: School) -> None:
    client = _browser(None, user_with_role(Role.DISTRICT_ADMIN))
    refused = _school_action(client, "school_suspend", school_b)
    assert (messages.ERROR, f"{school_b}: Say why the school is suspended.") in _messages(refused)
    school_b.refresh_from_db()
    assert school_b.status == School.Status.ACTIVE
    done = _school_action(client, "school_suspend", school_b, reason="食品安全整改")
    assert (messages.SUCCESS, "1 row done.") in _messages(done)
    school_b.refresh_from_db()
    assert (school_b.status, school_b.status_reason) == (School.Status.SUSPENDED, "食品安全整改")
    # Only the district administrator holds the schools' lifecycle.
    officer = _browser(None, user_with_role(Role.NUTRITION_OFFICER))
    listing = officer.get("/admin/tenants/school/")
    assert listing.status_code == 200
    action_form = listing.context["action_form"]
    assert action_form is None or "school_reactivate" not in dict(
        action_form.fields["action"].choices
    )
    _school_action(officer, "school_reactivate", school_b)
    school_b.refresh_from_db()
    assert school_b.status == School.Status.SUSPENDED


def test_nobody_deactivates_themselves_in_the_admin(district_host: str) -> None:
    admin_user = user_with_role(Role.DISTRICT_ADMIN)
    client = _browser(None, admin_user)
    url = _url(User, "change", admin_user.pk)
    response = client.post(url, _posted(client.get(url), {"is_active": False}))
    assert _form_errors(response)["__all__"] == ["You cannot deactivate yourself."]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_national_id_number_is_checked_by_the_service_in_the_admin(school_a: School) -> None:
    client = _browser(school_a, user_with_role(Role.LOGISTICS_DIRECTOR, school_a))
    url = _url(Student, "add")
    typed = {
        "student_number": "A0000002",
        "name": "赵六",
        "gender": "male",
        "grade": "2",
        "national_id": "110101201806010000",
    }
    with _writes() as written:
        response = client.post(url, _posted(client.get(url), typed))
    errors = _form_errors(response)
    assert errors["national_id"] and errors["__all__"], errors
    assert written == []
    with schema_context(school_a.schema_name):
        assert not Student.objects.filter(student_number="A0000002").exists()
