"""Who may give whom which role: a generated table of grantor role x role granted x account, for
granting and for revoking, and the attacks that found the holes (a logistics director making
themselves or a second account principal, revoking the principal, making a supplier an
accountant; the district admin making themselves auditor or procurement officer).

The expected answers are written out here, apart from the registry, so that the table checks the
registry and the services rather than repeating them."""

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import transaction

from houqin.exceptions import ServiceError
from houqin.roles import DISTRICT_ROLES, REGISTRY, SCHOOL_ROLES, Role
from shared_apps.accounts import services
from shared_apps.accounts.models import Membership, User
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import SETUP, make_user, user_with_role

R = Role
SCHOOL_STAFF_ROLES_DELEGATED = frozenset(
    {
        R.CANTEEN_MANAGER,
        R.DORM_MANAGER,
        R.REPAIR_TECHNICIAN,
        R.ASSET_KEEPER,
        R.STAFF,
        R.STUDENT,
        R.ESCORT,
    }
)
# Who appoints whom, as this suite expects it.
EXPECTED_APPOINTS: dict[Role, frozenset[Role]] = {
    R.DISTRICT_ADMIN: frozenset(SCHOOL_ROLES)
    | {
        R.NUTRITION_OFFICER,
        R.PROCUREMENT_OFFICER,
        R.TRANSPORT_OFFICER,
        R.FINANCE_OFFICER,
        R.AUDITOR,
        R.EVALUATOR,
    },
    R.LOGISTICS_DIRECTOR: SCHOOL_STAFF_ROLES_DELEGATED,
}

# The accounts a role may be given to.
SELF = "self"
SAME_SCHOOL = "an account of the grantor's school"
OTHER_SCHOOL = "a member of another school"
EXTERNAL = "a supplier's account"
DISTRICT_USER = "a district officer"
NEW_CENTRE_ACCOUNT = "a new account of the centre"
ACCOUNTS = [SELF, SAME_SCHOOL, OTHER_SCHOOL, EXTERNAL, DISTRICT_USER, NEW_CENTRE_ACCOUNT]

EVERY_ROLE = sorted(REGISTRY)
GRANTED = 201
REFUSED = 403
UNFIT = 400


def _member(role: Role, school: School | None, **kwargs: Any) -> User:
    """An account opened for `school` (the centre's: None) holding `role` there."""
    user = make_user(school=school, **kwargs)
    Membership.objects.create(user=user, role=role.value, school=school)
    return user


def _target(kind: str, *, grantor: User, role: Role, school_a: School, school_b: School) -> User:
    """A fresh account of `kind`, one that does not already hold `role` where it is granted."""
    if kind == SELF:
        return grantor
    if kind == SAME_SCHOOL:
        return make_user(school=school_a)
    if kind == OTHER_SCHOOL:
        return _member(R.STAFF, school_b)
    if kind == EXTERNAL:
        return _member(R.SUPPLIER, None, external=True)
    if kind == DISTRICT_USER:
        held = R.NUTRITION_OFFICER if role is R.TRANSPORT_OFFICER else R.TRANSPORT_OFFICER
        return _member(held, None)
    return make_user()


def _expected(grantor_role: Role, role: Role, kind: str) -> int:
    if kind == SELF or role not in EXPECTED_APPOINTS.get(grantor_role, frozenset()):
        return REFUSED
    if role is R.EVALUATOR:
        fits = kind == NEW_CENTRE_ACCOUNT
    elif role in DISTRICT_ROLES:
        fits = kind in (DISTRICT_USER, NEW_CENTRE_ACCOUNT)
    else:
        fits = kind == SAME_SCHOOL
    return GRANTED if fits else UNFIT


def _grantor(role: Role, school_a: School) -> User:
    return _member(role, None if role in DISTRICT_ROLES else school_a)


def _outcome(call: Callable[[], Any]) -> int:
    try:
        with transaction.atomic():
            call()
    except ServiceError as error:
        return error.status
    return GRANTED


@pytest.mark.parametrize("kind", ACCOUNTS)
@pytest.mark.parametrize("grantor_role", EVERY_ROLE)
def test_grant_table(school_a: School, school_b: School, grantor_role: Role, kind: str) -> None:
    """Every role granted by a holder of `grantor_role` (in school A for a school role) to an
    account of `kind`: granted, refused (403) or unfit for the account (400)."""
    grantor = _grantor(grantor_role, school_a)
    got, expected = {}, {}
    for role in EVERY_ROLE:
        school = None if role in DISTRICT_ROLES else school_a
        user = _target(kind, grantor=grantor, role=role, school_a=school_a, school_b=school_b)
        before = Membership.objects.across_schools().count()
        got[role] = _outcome(
            partial(
                services.membership_grant,
                user=user,
                role=role.value,
                school=school,
                actor=grantor,
            )
        )
        expected[role] = _expected(grantor_role, role, kind)
        assert Membership.objects.across_schools().count() - before == (got[role] == GRANTED), role
    assert got == expected


@pytest.mark.parametrize("grantor_role", EVERY_ROLE)
def test_revoke_table(school_a: School, grantor_role: Role) -> None:
    """Every role revoked from someone else by a holder of `grantor_role`: only what they could
    grant; and never one of their own roles."""
    grantor = _grantor(grantor_role, school_a)
    got, expected = {}, {}
    for role in EVERY_ROLE:
        school = None if role in DISTRICT_ROLES else school_a
        membership = Membership.objects.create(user=make_user(), role=role.value, school=school)
        got[role] = _outcome(
            partial(services.membership_revoke, membership=membership, actor=grantor)
        )
        expected[role] = (
            GRANTED if role in EXPECTED_APPOINTS.get(grantor_role, frozenset()) else REFUSED
        )
        assert Membership.objects.across_schools().filter(pk=membership.pk).exists() == (
            got[role] != GRANTED
        )
    assert got == expected
    own = Membership.objects.across_schools().get(user=grantor)
    assert _outcome(lambda: services.membership_revoke(membership=own, actor=grantor)) == REFUSED
    assert Membership.objects.across_schools().filter(pk=own.pk).exists()


def _covers(grants: frozenset[str], grant: str) -> bool:
    """Whether `grants` hold `grant`: the same grant, or for a grant on one's own rows
    (`:own`) the plain permission; `*` in it matched literally by a `*` of the holder's."""
    from fnmatch import fnmatchcase

    return any(
        fnmatchcase(grant, held) or fnmatchcase(grant.removesuffix(":own"), held) for held in grants
    )


def test_a_director_delegates_only_powers_they_hold() -> None:
    """The registry's delegations: a school role appoints only roles of its school whose every
    grant it holds; nobody appoints the supplier role or the district administrator's."""
    for role, spec in REGISTRY.items():
        assert spec.appoints == EXPECTED_APPOINTS.get(role, frozenset()), role
        assert not spec.appoints & {R.SUPPLIER, R.DISTRICT_ADMIN}
        if role in SCHOOL_ROLES:
            for appointed in spec.appoints:
                assert appointed in SCHOOL_ROLES
                lacking = [g for g in REGISTRY[appointed].grants if not _covers(spec.grants, g)]
                assert lacking == [], (role, appointed, lacking)
    # The roles the director may not appoint are exactly those with a power the director lacks.
    director = REGISTRY[R.LOGISTICS_DIRECTOR].grants
    for role in (R.PRINCIPAL, R.ACCOUNTANT):
        assert any(not _covers(director, g) for g in REGISTRY[role].grants), role


# The attacks, through the API ----------------------------------------------------------------


def _status(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"] if response.content else ""


def test_a_director_cannot_make_themselves_or_a_second_account_principal(
    client_for: Any, school_a: School
) -> None:
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    me = director.user
    assert me is not None
    own = director.post(
        "/api/v1/memberships/", {"username": me.username, "role": "principal"}, format="json"
    )
    assert _status(own) == (403, "own_role")
    # A second account, opened on the school's host: the school's own, but not for principal.
    opened = director.post(
        "/api/v1/users/",
        {"username": "director-second", "password": "Strong-pass-2026"},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    second = User.objects.get(username="director-second")
    assert (second.school_id, second.created_by_id) == (school_a.pk, me.pk)
    made = director.post(
        "/api/v1/memberships/", {"username": second.username, "role": "principal"}, format="json"
    )
    assert _status(made) == (403, "not_appointable")
    # What a director does delegate, they delegate to the account they opened.
    staff = director.post(
        "/api/v1/memberships/", {"username": second.username, "role": "staff"}, format="json"
    )
    assert staff.status_code == 201, staff.content
    assert Membership.objects.across_schools().get(user=second, role="staff").granted_by_id == me.pk
    assert (
        not Membership.objects.across_schools()
        .filter(role="principal", user__in=[me, second])
        .exists()
    )


def test_a_director_cannot_revoke_the_principal(client_for: Any, school_a: School) -> None:
    principal = user_with_role(R.PRINCIPAL, school_a)
    membership = Membership.objects.across_schools().get(user=principal)
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    response = director.delete(f"/api/v1/memberships/{membership.pk}/")
    assert _status(response) == (403, "not_appointable")
    assert Membership.objects.across_schools().filter(pk=membership.pk).exists()
    # Nor their own role.
    own = Membership.objects.across_schools().get(user=director.user)
    assert _status(director.delete(f"/api/v1/memberships/{own.pk}/")) == (403, "own_role")


def test_a_supplier_never_gets_a_school_role(client_for: Any, school_a: School) -> None:
    supplier = _member(R.SUPPLIER, None, external=True)
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    as_accountant = director.post(
        "/api/v1/memberships/", {"username": supplier.username, "role": "accountant"}, format="json"
    )
    assert _status(as_accountant) == (403, "not_appointable")
    as_staff = director.post(
        "/api/v1/memberships/", {"username": supplier.username, "role": "staff"}, format="json"
    )
    assert _status(as_staff) == (400, "external_account")
    admin = client_for(None, R.DISTRICT_ADMIN)
    from_centre = admin.post(
        "/api/v1/memberships/",
        {"username": supplier.username, "role": "accountant", "school": school_a.code},
        format="json",
    )
    assert _status(from_centre) == (400, "external_account")
    assert list(
        Membership.objects.across_schools().filter(user=supplier).values_list("role", flat=True)
    ) == ["supplier"]
    # So the supplier still cannot read the school's student register.
    register = HostClient(client_for(school_a).host, supplier).get("/api/v1/students/")
    assert register.status_code in (401, 403)


def test_the_district_admin_cannot_make_themselves_auditor_or_procurement_officer(
    client_for: Any,
) -> None:
    admin = client_for(None, R.DISTRICT_ADMIN)
    me = admin.user
    assert me is not None
    for role in ("procurement_officer", "auditor", "district_admin"):
        response = admin.post(
            "/api/v1/memberships/", {"username": me.username, "role": role}, format="json"
        )
        assert _status(response) == (403, "own_role"), role
    assert list(
        Membership.objects.across_schools().filter(user=me).values_list("role", flat=True)
    ) == ["district_admin"]
    # Nor another district administrator.
    colleague = make_user()
    response = admin.post(
        "/api/v1/memberships/",
        {"username": colleague.username, "role": "district_admin"},
        format="json",
    )
    assert _status(response) == (403, "not_appointable")


def test_the_centre_opens_an_account_for_a_school_and_appoints_its_principal(
    client_for: Any, school_a: School, school_b: School
) -> None:
    admin = client_for(None, R.DISTRICT_ADMIN)
    opened = admin.post(
        "/api/v1/users/",
        {"username": "new-principal", "password": "Strong-pass-2026", "school": school_a.code},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    account = User.objects.get(username="new-principal")
    assert account.school_id == school_a.pk
    elsewhere = admin.post(
        "/api/v1/memberships/",
        {"username": account.username, "role": "principal", "school": school_b.code},
        format="json",
    )
    assert _status(elsewhere) == (400, "not_a_school_account")
    here = admin.post(
        "/api/v1/memberships/",
        {"username": account.username, "role": "principal", "school": school_a.code},
        format="json",
    )
    assert here.status_code == 201, here.content
    # The school's own host lists the account it was given, with its roles.
    listed = client_for(school_a, R.LOGISTICS_DIRECTOR).get(
        "/api/v1/users/", {"username": "new-principal"}
    )
    assert [u["username"] for u in listed.json()["results"]] == ["new-principal"]


def test_an_evaluator_stays_external_once_the_role_is_revoked(client_for: Any) -> None:
    admin = client_for(None, R.DISTRICT_ADMIN)
    person = make_user()
    granted = admin.post(
        "/api/v1/memberships/", {"username": person.username, "role": "evaluator"}, format="json"
    )
    assert granted.status_code == 201, granted.content
    person.refresh_from_db()
    assert person.external
    revoked = admin.delete(f"/api/v1/memberships/{granted.json()['id']}/")
    assert revoked.status_code == 204
    again = admin.post(
        "/api/v1/memberships/",
        {"username": person.username, "role": "procurement_officer"},
        format="json",
    )
    assert _status(again) == (400, "external_account")
    # And a district officer is never made an evaluator.
    officer = user_with_role(R.PROCUREMENT_OFFICER)
    response = admin.post(
        "/api/v1/memberships/", {"username": officer.username, "role": "evaluator"}, format="json"
    )
    assert _status(response) == (400, "not_an_external_account")


def test_opening_a_supplier_account_marks_it_external(school_a: School) -> None:
    from shared_apps.procurement.services.suppliers import supplier_account_create
    from tests.matrix.supply import make_supplier

    supplier = make_supplier()
    officer = user_with_role(R.PROCUREMENT_OFFICER)
    account, _password = supplier_account_create(
        supplier=supplier, username="supplier-new", actor=officer
    )
    user = User.objects.get(pk=account.user_id)
    assert user.external and user.created_by_id == officer.pk
    with pytest.raises(ServiceError) as refused:
        services.membership_grant(user=user, role="staff", school=school_a, actor=SETUP)
    assert refused.value.code == "external_account"


def test_the_admin_site_grants_nothing(db: Any, district_host: str) -> None:
    """The admin site is no way around the rule: memberships are read-only there, in their own
    list and on a user's page, and accounts are opened through the service."""
    from tests.test_admin import admin_client, change_url

    admin = user_with_role(R.DISTRICT_ADMIN)
    client = admin_client(district_host, admin)
    assert client.get("/admin/accounts/membership/").status_code == 200
    assert client.get("/admin/accounts/membership/add/").status_code == 403
    added = client.post("/admin/accounts/membership/add/", {"user": admin.pk, "role": "auditor"})
    assert added.status_code == 403
    own = Membership.objects.across_schools().get(user=admin)
    assert client.post(change_url(own), {"user": admin.pk, "role": "auditor"}).status_code == 403
    page = client.get(change_url(admin))
    assert page.status_code == 200
    assert b"memberships-0-role" not in page.content
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert list(
        Membership.objects.across_schools().filter(user=admin).values_list("role", flat=True)
    ) == ["district_admin"]
