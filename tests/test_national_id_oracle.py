"""Finding a student by national ID number is reading the number: the register shows the masked
form (region and last four characters), so any operation that answers "is this the number?"
gives the rest away one guessed birth date at a time.

Nothing filters, searches or orders by a secret column (generated over every list, filterset and
admin of both hosts, from the models' `secret_fields`); no role without the unmasking grant gets
any answer that depends on a guessed number (generated over the roles); the one look-up by
number, `POST students/lookup/`, is for the holders of that grant, takes the number in its body,
writes a security event for every look-up and every refusal, and stops after a budget per user
and school.
"""

import inspect
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin import ModelAdmin
from django.db import connection, models
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from django_tenants.utils import tenant_context
from rest_framework.filters import OrderingFilter, SearchFilter

from houqin.admin import site
from houqin.exceptions import NotPermitted
from houqin.roles import DISTRICT_ROLES, Role, allows, grants_of
from houqin.secret_fields import secret_fields_of, touches_secret
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import SecurityEvent
from tenant_apps.people import national_id
from tenant_apps.people.models import Student
from tenant_apps.people.register import StudentRow
from tenant_apps.people.services.importing import students_import
from tenant_apps.people.services.students import NATIONAL_ID_LOOKUPS, UNMASK_PERMISSION
from tenants.models import School
from tests.factories import user_with_role
from tests.matrix.people import make_student
from tests.web import signed_in

R = Role
STUDENTS = "/api/v1/students/"
EXPORT = "/api/v1/students/export/"
LOOKUP = "/api/v1/students/lookup/"
ADMIN_STUDENTS = "/admin/people/student/"


def _holds_unmask(role: Role) -> bool:
    return allows(grants_of(frozenset({role})), UNMASK_PERMISSION)


UNMASKERS = sorted(role for role in Role if _holds_unmask(role))
OTHERS = sorted(role for role in Role if not _holds_unmask(role))


def test_the_unmasking_grant_is_held_by_someone_and_not_by_everyone() -> None:
    assert UNMASKERS == [R.LOGISTICS_DIRECTOR]
    assert R.PRINCIPAL in OTHERS and R.AUDITOR in OTHERS and R.CANTEEN_MANAGER in OTHERS


# The numbers ------------------------------------------------------------------------------------


def _with_birth_date(number: str, born: date) -> str | None:
    """`number` with another birth date, when that keeps its check character (and so its masked
    form): the candidates an attacker who sees the masked form has to try."""
    first_17 = f"{number[:6]}{born:%Y%m%d}{number[14:17]}"
    candidate = first_17 + national_id.check_character(first_17)
    return candidate if candidate[-1] == number[-1] and candidate != number else None


def _same_mask(number: str) -> str:
    """A valid number other than `number` that the register would show masked the same way."""
    born = national_id.birth_date_of(number)
    assert born is not None
    for days in range(1, 400):
        candidate = _with_birth_date(number, born + timedelta(days=days))
        if candidate is not None:
            assert national_id.mask(candidate) == national_id.mask(number)
            return candidate
    raise AssertionError("no candidate within a year")


@pytest.fixture
def target(school_a: School) -> tuple[Student, str]:
    """A child in school A's register with a number (and classmates with theirs)."""
    number = "53012420160318017X"  # shown as 530124********017X
    assert national_id.validate(number) == number
    student = make_student(school_a.schema_name, national_id=number)
    for _ in range(3):
        make_student(school_a.schema_name)
    return student, number


def _events() -> list[SecurityEvent]:
    return list(
        SecurityEvent.objects.across_schools()
        .filter(kind=SecurityEvent.Kind.PERSONAL_DATA_READ)
        .order_by("id")
    )


def _comparable(response: Any) -> Any:
    """What a caller learns from a response: its status and body, less the request id."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        if "error" in body:
            body["error"].pop("request_id", None)
        return response.status_code, body
    return response.status_code, response.content


# 1. The list, the export and the admin answer nothing that depends on a guessed number --------


@pytest.mark.parametrize("role", OTHERS)
def test_no_list_answers_whether_a_guess_is_the_number(role, school_a, target, client_for):
    student, number = target
    wrong = _same_mask(number)
    client = client_for(school_a, role)
    may_list = client.get(STUDENTS).status_code == 200
    probes: list[tuple[str, Callable[[str], dict[str, str]]]] = [
        (STUDENTS, lambda n: {"national_id": n, "search": student.student_number}),
        (STUDENTS, lambda n: {"national_id": n}),
        (STUDENTS, lambda n: {"national_id_hash": national_id.lookup_hash(n)}),
        (STUDENTS, lambda n: {"national_id_hash__startswith": national_id.lookup_hash(n)[:8]}),
        (STUDENTS, lambda n: {"search": n}),
        (STUDENTS, lambda n: {"search": n[:14]}),
        (EXPORT, lambda n: {"national_id": n, "search": student.student_number}),
        (EXPORT, lambda n: {"national_id_hash": national_id.lookup_hash(n)}),
    ]
    before = len(_events())
    for url, probe in probes:
        right, guess = client.get(url, probe(number)), client.get(url, probe(wrong))
        assert _comparable(right) == _comparable(guess), (url, probe(number))
        assert number.encode() not in right.content
        parameters = set(probe(number)) - {"search"}
        if not may_list:
            assert right.status_code == 403
        elif parameters:
            # A stale client sending a filter that no longer exists is told so, not answered.
            assert right.status_code == 400, (url, right.content[:300])
            assert parameters <= set(right.json()["error"]["fields"])
        else:
            assert right.status_code == 200 and right.json()["count"] == 0
    assert len(_events()) == before


@pytest.mark.parametrize("role", OTHERS)
def test_the_admin_filters_by_no_secret(role, school_a, target):
    user = user_with_role(role, None if role in DISTRICT_ROLES else school_a)
    browser = signed_in(school_a, user)
    _student, number = target
    wrong = _same_mask(number)
    for probe in (
        lambda n: {"national_id_hash": national_id.lookup_hash(n)},
        lambda n: {"national_id_hash__startswith": national_id.lookup_hash(n)[:8]},
        lambda n: {"national_id_ciphertext__isnull": "false", "q": n},
    ):
        right = browser.get(ADMIN_STUDENTS, probe(number))
        guess = browser.get(ADMIN_STUDENTS, probe(wrong))
        assert right.status_code == guess.status_code, probe(number)
        if right.status_code == 200:
            assert _admin_rows(right) == _admin_rows(guess) == 0, probe(number)
        assert number.encode() not in right.content


def _admin_rows(response: Any) -> int:
    return int(response.context["cl"].result_count)


# 2. The look-up: the unmasking grant, the body, an event each time, a budget ----------------------


@pytest.mark.parametrize("role", UNMASKERS)
def test_the_unmaskers_look_up_and_every_look_up_is_logged(role, school_a, target, client_for):
    student, number = target
    client = client_for(school_a, role)
    before = len(_events())
    response = client.post(LOOKUP, {"national_id": number}, format="json")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [student.pk]
    assert body["results"][0]["national_id_masked"] == national_id.mask(number)
    assert number.encode() not in response.content
    # The number went in the body: not in the request line an access log writes.
    assert number not in response.wsgi_request.get_full_path()
    missed = client.post(LOOKUP, {"national_id": _same_mask(number)}, format="json")
    assert missed.status_code == 200 and missed.json() == {"count": 0, "results": []}
    found, not_found = _events()[before:]
    for event in (found, not_found):
        assert event.user_id == client.user.pk
        assert event.schema_name == school_a.schema_name
        assert event.detail["school"] == school_a.code
        assert event.detail["via"] == "lookup"
        assert number not in json.dumps(event.detail)
        assert _same_mask(number) not in json.dumps(event.detail)
    assert found.detail["student_ids"] == [student.pk]
    assert found.detail["outcome"] == "found"
    assert not_found.detail["student_ids"] == [] and not_found.detail["outcome"] == "not_found"


@pytest.mark.parametrize("role", OTHERS)
def test_nobody_else_looks_up(role, school_a, target, client_for):
    _student, number = target
    client = client_for(school_a, role)
    before = len(_events())
    response = client.post(LOOKUP, {"national_id": number}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    assert number.encode() not in response.content
    assert len(_events()) == before


def test_a_director_of_another_school_does_not_look_up_here(school_a, school_b, target, client_for):
    _student, number = target
    outsider = client_for(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_b))
    response = outsider.post(LOOKUP, {"national_id": number}, format="json")
    assert response.status_code == 403
    anonymous = client_for(school_a, None).post(LOOKUP, {"national_id": number}, format="json")
    assert anonymous.status_code == 401


def test_a_number_that_is_not_one_is_refused_without_reading_or_counting(school_a, client_for):
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    before = len(_events())
    for bad in ("530124201603170170", "not a number", ""):
        response = director.post(LOOKUP, {"national_id": bad}, format="json")
        assert response.status_code == 400
        assert "national_id" in response.json()["error"]["fields"]
    assert len(_events()) == before
    assert director.post(LOOKUP, {}, format="json").status_code == 400


@pytest.fixture
def director_in_both(school_a: School, school_b: School) -> User:
    user = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    Membership.objects.create(user=user, role=R.LOGISTICS_DIRECTOR.value, school=school_b)
    return user


def test_the_budget_per_user_and_school(school_a, school_b, target, client_for, director_in_both):
    student, number = target
    director = client_for(school_a, director_in_both)
    budget = NATIONAL_ID_LOOKUPS
    before = len(_events())
    for _attempt in range(budget):
        assert director.post(LOOKUP, {"national_id": number}, format="json").status_code == 200
    refused = director.post(LOOKUP, {"national_id": number}, format="json")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["status"] == 429 and error["code"] == "lookup_budget_spent"
    assert str(student.pk) not in json.dumps(error) and student.student_number not in json.dumps(
        error
    )
    events = _events()[before:]
    assert len(events) == budget + 1
    last = events[-1]
    assert last.user_id == director_in_both.pk and last.detail["outcome"] == "refused"
    assert last.detail["student_ids"] == [] and last.detail["school"] == school_a.code
    assert number not in json.dumps(last.detail)
    # Another user of the school has their own budget; so has the same user in another school.
    colleague = client_for(school_a, R.LOGISTICS_DIRECTOR)
    assert colleague.post(LOOKUP, {"national_id": number}, format="json").status_code == 200
    elsewhere = client_for(school_b, director_in_both)
    assert elsewhere.post(LOOKUP, {"national_id": number}, format="json").json()["count"] == 0
    assert director.post(LOOKUP, {"national_id": number}, format="json").status_code == 429


def test_the_number_is_in_no_url(school_a, target, client_for):
    _student, number = target
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    schema = director.get("/api/schema/?format=json").json()
    operation = schema["paths"][LOOKUP]["post"]
    assert [p for p in operation.get("parameters", []) if p["in"] in ("query", "path")] == []
    assert list(schema["paths"][LOOKUP]) == ["post"]
    content = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_body = schema["components"]["schemas"][content.rsplit("/", 1)[-1]]
    assert request_body["required"] == ["national_id"]
    # Asked the old way, it answers nothing and counts nothing.
    before = len(_events())
    assert director.get(LOOKUP, {"national_id": number}).status_code == 405
    assert director.get(STUDENTS, {"national_id": number}).status_code == 400
    assert len(_events()) == before


# 3. Importing numbers compares them with the register: the same grant, and logged ----------------


def test_an_import_compares_numbers_only_for_unmaskers_and_logs_it(school_a, target):
    student, number = target
    rows = [
        StudentRow(
            row=2,
            student_number="Z0000001",
            name="李四",
            gender="女",
            grade="3",
            national_id=number,
        )
    ]
    before = len(_events())
    principal = user_with_role(R.PRINCIPAL, school_a)
    director = user_with_role(R.LOGISTICS_DIRECTOR, school_a)
    with tenant_context(school_a):
        with pytest.raises(NotPermitted):
            students_import(rows=rows, actor=principal, dry_run=True)
        assert len(_events()) == before
        report = students_import(rows=rows, actor=director, dry_run=True)
    assert report.rows[0].reasons == ["duplicate_national_id"]
    (event,) = _events()[before:]
    assert event.user_id == director.pk and event.detail["via"] == "import"
    assert event.detail["compared"] == 1 and event.detail["student_ids"] == [student.pk]
    assert number not in json.dumps(event.detail)


# 4. No filter, search or ordering reaches a secret column: generated over the code ----------------


def _secret_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if secret_fields_of(model)]


def test_the_secret_columns_are_named_on_their_models() -> None:
    assert set(secret_fields_of(Student)) == {"national_id_ciphertext", "national_id_hash"}
    for model in _secret_models():
        for name in secret_fields_of(model):
            model._meta.get_field(name)  # names a real column
        assert set(secret_fields_of(model)) <= set(getattr(model, "audit_redacted_fields", ()))


def _views(patterns: list[Any]) -> Iterator[type]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield pattern.callback.cls


API_VIEWS = sorted(
    {
        view
        for urlconf in ("houqin.urls.school", "houqin.urls.district")
        for view in _views(get_resolver(urlconf).url_patterns)
        if getattr(view, "model", None) is not None or getattr(view, "queryset", None) is not None
    },
    key=lambda view: f"{view.__module__}.{view.__qualname__}",
)


def _model_of(view: type) -> type[models.Model]:
    model = getattr(view, "model", None)
    return model if model is not None else view.queryset.model  # type: ignore[attr-defined]


def _secret_names() -> set[str]:
    return {name for model in _secret_models() for name in secret_fields_of(model)}


def test_the_generated_checks_see_the_register() -> None:
    assert any(_model_of(view) is Student for view in API_VIEWS)
    assert Student in site._registry


@pytest.mark.parametrize("view", API_VIEWS, ids=lambda view: view.__qualname__)
def test_no_list_filters_searches_or_orders_by_a_secret(view: type) -> None:
    model = _model_of(view)
    backends = list(view.filter_backends)  # type: ignore[attr-defined]
    instance = view(action="list", request=None, format_kwarg=None, kwargs={})
    queryset = model._default_manager.none()
    for backend in backends:
        if issubclass(backend, DjangoFilterBackend):
            filterset = backend().get_filterset_class(instance, queryset)
            if filterset is None:
                continue
            for name, declared in filterset.base_filters.items():
                assert not touches_secret(model, declared.field_name), (filterset, name)
            # A method filter is code: it names no secret column either.
            source = inspect.getsource(filterset)
            assert not [n for n in _secret_names() if n in source], filterset
        if issubclass(backend, OrderingFilter):
            fields = backend().get_valid_fields(queryset, instance, {"request": None})
            assert not [term for term, _label in fields if touches_secret(model, term)], view
        if issubclass(backend, SearchFilter):
            for term in getattr(view, "search_fields", ()):
                assert not touches_secret(model, term.lstrip("^=@$")), (view, term)
    assert not touches_secret(model, getattr(view, "lookup_field", "pk")), view


ADMINS = sorted(site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(("model", "admin"), ADMINS, ids=[m._meta.label for m, _a in ADMINS])
def test_no_admin_filters_searches_or_orders_by_a_secret(model: Any, admin: ModelAdmin) -> None:
    filters = [f[0] if isinstance(f, tuple) else f for f in admin.list_filter]
    named = [
        *(term.lstrip("^=@") for term in admin.search_fields or ()),
        *(term for term in filters if isinstance(term, str)),
        *(term for term in admin.ordering or () if isinstance(term, str)),
        *(term for term in admin.list_display if isinstance(term, str)),
        *([admin.date_hierarchy] if admin.date_hierarchy else []),
    ]
    assert not [term for term in named if touches_secret(model, term)], model
    # Nor by a secret named in the change list's URL, its own or one a relation reaches.
    paths = [f"{name}{lookup}" for name in secret_fields_of(model) for lookup in ("", "__gt")]
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        if field.is_relation and related is not None:
            paths += [f"{field.name}__{name}" for name in secret_fields_of(related)]
    for path in paths:
        assert not admin.lookup_allowed(path, "x", HttpRequest()), (model, path)


def test_the_list_reads_no_secret_column_whatever_it_is_asked(school_a, target, client_for):
    """Behind the declarations, the SQL: with every secret column asked for as an ordering, and
    the number as a search, the list's WHERE and ORDER BY name no secret column."""
    _student, number = target
    principal = client_for(school_a, R.PRINCIPAL)
    secrets = sorted(secret_fields_of(Student))
    ordering = ",".join([*secrets, *(f"-{name}" for name in secrets)])
    with CaptureQueriesContext(connection) as queries:
        response = principal.get(STUDENTS, {"ordering": ordering, "search": number})
    assert response.status_code == 200 and response.json()["count"] == 0
    student_queries = [q["sql"] for q in queries if 'FROM "people_student"' in q["sql"]]
    assert student_queries
    for sql in student_queries:
        after_from = sql.split(" FROM ", 1)[1]
        assert not [name for name in secrets if name in after_from], sql
