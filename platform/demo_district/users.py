"""The demo's people, for every part of the seed: their password, their logins, finding or
creating a demo user and their roles, and acting as one of them."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from houqin import context
from houqin.door import SystemActor
from houqin.roles import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.services import membership_grant, user_create
from tenants.models import School

DEMO_PASSWORD = "Houqin-demo-2026"
REQUEST_ID = "seed-demo"
SEEDING = SystemActor("demo.seed")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    school: str | None
    username: str
    password: str
    # An evaluator's passphrase, which unlocks their sealing key to present a tender's share.
    passphrase: str | None = None


def demo_account(username: str, display_name: str, school: School | None = None) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return user_create(
        username=username,
        password=DEMO_PASSWORD,
        display_name=display_name,
        school=school,
        actor=SEEDING,
    )


def grant_role(user: User, role: Role, school: School | None) -> None:
    held = Membership.objects.across_schools().filter(user=user, role=role.value, school=school)
    if not held.exists():
        membership_grant(user=user, role=role.value, school=school, actor=SEEDING)


@contextmanager
def acting_as(user: User) -> Iterator[User]:
    """Act as `user`, in one transaction: every row written names them in the audit trail."""
    with context.acting(request_id=REQUEST_ID, actor_id=user.pk), transaction.atomic():
        yield user


def demo_user(role: str, school: str | None = None) -> User:
    return User.objects.get(username=f"district.{role}" if school is None else f"{role}.{school}")
