"""A new password for someone who lost theirs (`accounts.services.user_password_set`): the
district administrator for anyone but a district administrator, a school's logistics director
for the accounts of their school holding only roles they appoint there; never for oneself; and
whoever set it knew it, as whoever opened the account did (separation of duties)."""

from typing import Any

import pytest

from houqin.exceptions import InvalidInput, NotPermitted
from houqin.roles import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.selectors import holds_through
from shared_apps.accounts.services import user_password_set
from tenants.models import School
from tests.factories import PASSWORD, SETUP, make_user, user_with_role

pytestmark = pytest.mark.django_db
R = Role
NEW = "Fresh-start-2026"


def _member(role: Role | None, school: School | None) -> User:
    """An account opened for `school` (the centre's: None) holding `role` there."""
    user = make_user(school=school)
    if role is not None:
        Membership.objects.create(user=user, role=role.value, school=school)
    return user


def _set(user: User, actor: Any, school: School | None) -> User:
    return user_password_set(user=user, password=NEW, school=school, actor=actor)


def _works(user: User, setter: User | None) -> None:
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert user.password_set_by_id == (setter.pk if setter else None)


def _unchanged(user: User) -> None:
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.password_set_by_id is None


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (R.CANTEEN_MANAGER, "school"),
        (R.PRINCIPAL, "school"),
        (R.LOGISTICS_DIRECTOR, "school"),
        (R.FINANCE_OFFICER, "district"),
        (R.AUDITOR, "district"),
        (R.SUPPLIER, "district"),
        (None, "school"),
    ],
)
def test_the_district_admin_sets_anyones_password(
    school_a: School, role: Role | None, where: str
) -> None:
    admin = user_with_role(R.DISTRICT_ADMIN)
    user = _member(role, school_a if where == "school" else None)
    # On the district host, and on a school's host (district roles hold everywhere).
    _set(user, admin, None)
    _works(user, admin)
    _set(user, admin, school_a)
    _works(user, admin)


def test_nobody_sets_a_district_admins_password_here(school_a: School) -> None:
    admin = user_with_role(R.DISTRICT_ADMIN)
    other = _member(R.DISTRICT_ADMIN, None)
    with pytest.raises(NotPermitted) as refused:
        _set(other, admin, None)
    assert refused.value.code == "district_admin_password"
    _unchanged(other)


@pytest.mark.parametrize("role", [R.DISTRICT_ADMIN, R.LOGISTICS_DIRECTOR])
def test_nobody_sets_their_own_password_here(school_a: School, role: Role) -> None:
    me = _member(role, None if role is R.DISTRICT_ADMIN else school_a)
    with pytest.raises(NotPermitted) as refused:
        _set(me, me, school_a)
    assert refused.value.code == "own_password"
    _unchanged(me)


@pytest.mark.parametrize("role", [R.CANTEEN_MANAGER, R.STAFF, R.STUDENT, None])
def test_a_director_sets_the_password_of_whom_they_appoint(
    school_a: School, role: Role | None
) -> None:
    director = _member(R.LOGISTICS_DIRECTOR, school_a)
    user = _member(role, school_a)
    _set(user, director, school_a)
    _works(user, director)


@pytest.mark.parametrize("role", [R.PRINCIPAL, R.ACCOUNTANT, R.LOGISTICS_DIRECTOR])
def test_a_director_does_not_set_the_password_of_whom_they_do_not_appoint(
    school_a: School, role: Role
) -> None:
    director = _member(R.LOGISTICS_DIRECTOR, school_a)
    user = _member(role, school_a)
    with pytest.raises(NotPermitted) as refused:
        _set(user, director, school_a)
    assert refused.value.code == "not_password_setter"
    _unchanged(user)


def test_a_director_sets_passwords_in_their_own_school_only(
    school_a: School, school_b: School
) -> None:
    director = _member(R.LOGISTICS_DIRECTOR, school_a)
    elsewhere = _member(R.CANTEEN_MANAGER, school_b)
    # Nor one who holds a delegated role here and another role elsewhere.
    both = _member(R.CANTEEN_MANAGER, school_a)
    Membership.objects.create(user=both, role=R.STAFF.value, school=school_b)
    officer = _member(R.NUTRITION_OFFICER, None)
    for user in (elsewhere, both, officer):
        with pytest.raises(NotPermitted):
            _set(user, director, school_a)
        _unchanged(user)
    # And nowhere from the district host, where they hold no role.
    mine = _member(R.CANTEEN_MANAGER, school_a)
    with pytest.raises(NotPermitted):
        _set(mine, director, None)
    _unchanged(mine)


@pytest.mark.parametrize("role", [R.PRINCIPAL, R.CANTEEN_MANAGER, R.AUDITOR, R.FINANCE_OFFICER])
def test_others_set_nobodys_password(school_a: School, role: Role) -> None:
    actor = _member(role, None if role in (R.AUDITOR, R.FINANCE_OFFICER) else school_a)
    user = _member(R.STAFF, school_a)
    with pytest.raises(NotPermitted):
        _set(user, actor, school_a)
    _unchanged(user)


def test_a_weak_password_is_refused_next_to_the_field(school_a: School) -> None:
    admin = user_with_role(R.DISTRICT_ADMIN)
    user = _member(R.STAFF, school_a)
    with pytest.raises(InvalidInput) as refused:
        user_password_set(user=user, password="12345678", school=None, actor=admin)
    assert "password" in refused.value.fields
    _unchanged(user)


def test_the_system_sets_a_password_naming_no_one(school_a: School) -> None:
    user = _member(R.STAFF, school_a)
    _set(user, SETUP, None)
    _works(user, None)


def test_whoever_set_a_password_does_not_approve_through_that_account(school_a: School) -> None:
    """The principal's account whose password the preparer set is a second account of the
    preparer's, as one they opened would be."""
    preparer = user_with_role(R.DISTRICT_ADMIN)
    principal = _member(R.PRINCIPAL, school_a)
    acts = frozenset({R.PRINCIPAL})
    assert not holds_through(user_id=principal.pk, roles=acts, people={preparer.pk})
    _set(principal, preparer, None)
    assert holds_through(user_id=principal.pk, roles=acts, people={preparer.pk})
