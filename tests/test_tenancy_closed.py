"""Tenancy fails closed: every district (public) model whose rows belong to a school declares it,
its queries refuse to run until they say whose rows they read, and `restrict()` keeps a school's
host to that school's rows even where a view forgets to ask."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django_tenants.utils import schema_context, tenant_context
from rest_framework import mixins
from rest_framework.test import APIRequestFactory, force_authenticate

from houqin.api.viewsets import RestrictedViewSet
from houqin.permissions import restrict
from houqin.roles import Role
from houqin.tenancy import SchoolOwnedQuerySet, SchoolScope, UnscopedQuery, school_paths, school_q
from shared_apps.accounts.models import Membership, User
from shared_apps.audit.models import Finding
from shared_apps.subsidies.api.serializers import BudgetSerializer
from shared_apps.subsidies.models import Budget, Claim
from shared_apps.subsidies.selectors import budget_list, claim_list
from tenants.models import School
from tests.factories import user_with_role
from tests.matrix.subsidies import make_budget, make_claim, make_programme

# District tables that name a school or a schema without their rows belonging to one: the
# tenants themselves and how hosts reach them, schemas that are no school yet.
NOT_SCHOOLS_ROWS = {
    "tenants.School": "the tenant itself",
    "tenants.Domain": "a school's host names, which routing reads before any school is chosen",
    "tenants.PoolSchema": "an empty schema in the warm pool, no school's yet",
    "reporting.Statement": "a proxy of the tenant",
}
# Users are global (they sign in by name from any host, and Django's authentication reads them
# so): their manager stays plain, and `restrict()` still keeps a school's host to its own.
PLAIN_MANAGER = {"accounts.User"}


def _public_models() -> Iterator[type[models.Model]]:
    def names(entries: list[str]) -> set[str]:  # "houqin.apps.HouqinConfig" is app "houqin"
        return {entry.split(".apps.")[0] for entry in entries}

    public_apps = names(settings.SHARED_APPS) - names(settings.TENANT_APPS)
    for model in apps.get_models():
        if model._meta.app_config.name in public_apps:
            yield model


def _names_a_school(model: type[models.Model]) -> bool:
    tenant = apps.get_model(settings.TENANT_MODEL)
    for field in model._meta.concrete_fields:
        if field.name == "schema_name" or (field.is_relation and field.related_model is tenant):
            return True
    return False


def _schools_rows() -> list[type[models.Model]]:
    """Every public model with a school column, and every one whose rows hang from such a
    model's rows (a claim's events), found by walking the registry."""
    found = [
        m
        for m in _public_models()
        if _names_a_school(m) and m._meta.label not in NOT_SCHOOLS_ROWS and not m._meta.proxy
    ]
    grew = True
    while grew:
        grew = False
        for model in _public_models():
            if model in found or model._meta.label in NOT_SCHOOLS_ROWS:
                continue
            parents = [
                f
                for f in model._meta.concrete_fields
                if f.is_relation
                and not f.null
                and f.related_model in found
                and f.related_model._meta.label not in PLAIN_MANAGER
            ]
            if parents:
                found.append(model)
                grew = True
    return found


SCHOOLS_ROWS = _schools_rows()
STRICT = [m for m in SCHOOLS_ROWS if m._meta.label not in PLAIN_MANAGER]
LABEL: Callable[[Any], str] = lambda m: m._meta.label  # noqa: E731


def test_the_walk_finds_the_known_school_tables() -> None:
    labels = {m._meta.label for m in SCHOOLS_ROWS}
    assert {
        "accounts.Membership",
        "accounts.User",
        "audit.Change",
        "audit.SecurityEvent",
        "audit.Finding",
        "subsidies.Budget",
        "subsidies.BudgetSupplement",
        "subsidies.Claim",
        "subsidies.ClaimEvent",
        "subsidies.Disbursement",
        "procurement.Requisition",
        "procurement.RequisitionLine",
        "procurement.SpendLine",
        "procurement.SupplierRating",
        "tenants.SchoolMigration",
        "houqin.IdempotencyRecord",
    } <= labels


@pytest.mark.parametrize("model", SCHOOLS_ROWS, ids=LABEL)
def test_every_public_model_with_a_school_declares_it(model: type[models.Model]) -> None:
    assert school_paths(model), f"{model._meta.label} names a school: declare its school_field"
    # Its paths lead to a school (the SQL builds).
    assert "WHERE" in str(model._base_manager.filter(school_q(model, SchoolScope.of(1))).query)


@pytest.mark.parametrize("model", STRICT, ids=LABEL)
def test_an_unscoped_query_refuses_to_run(model: type[models.Model], db: Any) -> None:
    manager: Any = model._default_manager
    assert isinstance(manager.all(), SchoolOwnedQuerySet)
    unscoped = manager.filter(pk__gt=0)
    for run in (
        list,
        len,
        bool,
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: qs.get(pk=1),
        lambda qs: qs.aggregate(n=models.Count("pk")),
        lambda qs: list(qs.values_list("pk", flat=True)),
        lambda qs: list(qs.iterator()),
        lambda qs: qs.in_bulk([1]),
        lambda qs: qs.update(pk=models.F("pk")),
        lambda qs: qs.delete(),
        # Inside another query too.
        lambda qs: list(model._base_manager.filter(pk__in=qs.values("pk"))),
    ):
        with pytest.raises(UnscopedQuery, match=model._meta.label):
            run(unscoped)
    # Said out loud, each scope runs.
    assert manager.across_schools().count() >= 0
    assert manager.here().count() >= 0
    assert not manager.for_school(1).filter(pk=-1).exists()
    assert list(manager.none()) == []


@pytest.mark.parametrize("model", SCHOOLS_ROWS, ids=LABEL)
def test_restrict_filters_by_the_school_on_its_host(
    model: type[models.Model], school_a: School
) -> None:
    anyone = user_with_role(Role.AUDITOR)  # reads every model, on every host
    with tenant_context(school_a):  # as a request on its host
        sql = str(restrict(model._default_manager.all(), anyone, "view").query)
    needle = school_a.schema_name if school_paths(model) == ("schema_name",) else school_a.pk
    assert re.search(rf"= {needle}\b", sql), sql
    # A schema set by name alone (no school at hand) is that school's too.
    with schema_context(school_a.schema_name):
        sql = str(restrict(model._default_manager.all(), anyone, "view").query)
    assert re.search(rf"schema_name\" = {school_a.schema_name}\b", sql), sql
    # The district's host reads every school's.
    assert "WHERE" not in str(restrict(model._default_manager.all(), anyone, "view").query)


# With rows of two schools --------------------------------------------------------------------


@pytest.fixture
def two_schools(school_a: School, school_b: School) -> dict[str, Any]:
    programme = make_programme()
    budgets = {s.code: make_budget(s, programme) for s in (school_a, school_b)}
    claims = {s.code: make_claim(s, budget=budgets[s.code]) for s in (school_a, school_b)}
    author = user_with_role(Role.AUDITOR)
    findings = {
        s.code: Finding.objects.create(
            school=s, title="t", body="b", severity="low", created_by=author
        )
        for s in (school_a, school_b)
    }
    staff = {s.code: user_with_role(Role.STAFF, s) for s in (school_a, school_b)}
    return {"budgets": budgets, "claims": claims, "findings": findings, "staff": staff}


def test_restrict_answers_only_the_schools_rows(
    two_schools: dict[str, Any], school_a: School, school_b: School
) -> None:
    auditor = user_with_role(Role.AUDITOR)
    mine = {m: two_schools[k][school_a.code] for k, m in [("budgets", Budget), ("claims", Claim)]}
    mine[Finding] = two_schools["findings"][school_a.code]
    theirs = {Budget: "budgets", Claim: "claims", Finding: "findings"}
    for model, row in mine.items():
        other = two_schools[theirs[model]][school_b.code]
        with tenant_context(school_a):
            seen = set(restrict(model._default_manager.all(), auditor, "view").values_list("pk"))
        assert (row.pk,) in seen and (other.pk,) not in seen
        everywhere = set(restrict(model._default_manager.all(), auditor, "view").values_list("pk"))
        assert {(row.pk,), (other.pk,)} <= everywhere
    with tenant_context(school_a):
        members = restrict(Membership.objects.all(), auditor, "view")
        assert set(members.values_list("school_id", flat=True)) == {school_a.pk}
        users = set(restrict(User.objects.all(), auditor, "view"))
    assert two_schools["staff"][school_a.code] in users
    assert two_schools["staff"][school_b.code] not in users


class ForgetfulBudgets(mixins.ListModelMixin, RestrictedViewSet):
    """A view that asks for every budget and says nothing of the school."""

    model = Budget
    serializer_class = BudgetSerializer
    pagination_class = None

    def safely_get_queryset(self) -> Any:
        return Budget.objects.across_schools()


def test_a_view_that_forgets_the_school_still_answers_only_its_rows(
    two_schools: dict[str, Any], school_a: School, school_b: School
) -> None:
    view = ForgetfulBudgets.as_view({"get": "list"})
    auditor = user_with_role(Role.AUDITOR)

    def listed() -> set[int]:
        request = APIRequestFactory().get("/budgets/")
        force_authenticate(request, user=auditor)
        response = view(request)
        assert response.status_code == 200
        return {row["id"] for row in response.data}

    with tenant_context(school_a):
        seen = listed()
    assert two_schools["budgets"][school_a.code].pk in seen
    assert two_schools["budgets"][school_b.code].pk not in seen
    assert {b.pk for b in two_schools["budgets"].values()} <= listed()


def test_a_selector_refuses_to_run_until_scoped(
    two_schools: dict[str, Any], school_a: School
) -> None:
    with pytest.raises(UnscopedQuery):
        list(budget_list())
    with tenant_context(school_a):
        assert {b.school_id for b in budget_list().here()} == {school_a.pk}
    assert {b.school_id for b in budget_list().for_school(school_a)} == {school_a.pk}
    # Rows reached through their parent, and prefetched ones, run: the parent said whose.
    claims = list(claim_list().for_school(school_a))
    assert claims and all(c.events.count() >= 0 for c in claims)
    budget = two_schools["budgets"][school_a.code]
    assert list(budget.claims.all()) == [two_schools["claims"][school_a.code]]
    assert budget.claims.exists()
    # Forward relations and deletion read through Django's plain base manager.
    claim = two_schools["claims"][school_a.code]
    assert Claim.objects.across_schools().get(pk=claim.pk).budget == budget
