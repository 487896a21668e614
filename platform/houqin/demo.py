"""The demo district: three schools and one user per role, created once, reused after."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import transaction
from django_tenants.utils import schema_context

from houqin import context
from houqin.roles import DISTRICT_ROLES, SCHOOL_ROLES, Role
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.services import membership_grant, user_create
from tenant_apps.feedback.models import Feedback
from tenant_apps.feedback.services import feedback_submit
from tenants.models import School
from tenants.services import school_create

DEMO_PASSWORD = "Houqin-demo-2026"

DEMO_SCHOOLS = [
    ("3101010001", "城关第一实验小学", School.Kind.PRIMARY, False, "城关镇人民路 1 号"),
    ("3101010002", "红星中学", School.Kind.JUNIOR, True, "红星乡学府路 8 号"),
    ("3101010003", "青山九年一贯制学校", School.Kind.NINE_YEAR, True, "青山镇中心街 12 号"),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    school: str | None
    username: str
    password: str


def _user(username: str, display_name: str) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return user_create(username=username, password=DEMO_PASSWORD, display_name=display_name)


def _grant(user: User, role: Role, school: School | None) -> None:
    if not Membership.objects.filter(user=user, role=role.value, school=school).exists():
        membership_grant(user=user, role=role.value, school=school)


def seed_demo() -> list[DemoLogin]:
    """Create what is missing of the demo district and return every demo login."""
    logins: list[DemoLogin] = []
    with context.acting(request_id="seed-demo"), transaction.atomic():
        for role in sorted(DISTRICT_ROLES):
            user = _user(f"district.{role.value}", str(role.value))
            _grant(user, role, None)
            logins.append(DemoLogin(role.value, None, user.username, DEMO_PASSWORD))
        for code, name, kind, boarding, address in DEMO_SCHOOLS:
            school = School.objects.filter(code=code).first() or school_create(
                code=code, name=name, kind=kind, boarding=boarding, address=address
            )
            for role in sorted(SCHOOL_ROLES):
                user = _user(f"{role.value}.{code}", f"{name} {role.value}")
                _grant(user, role, school)
                logins.append(DemoLogin(role.value, code, user.username, DEMO_PASSWORD))
            with schema_context(school.schema_name):
                if not Feedback.objects.exists():
                    student = User.objects.get(username=f"student.{code}")
                    feedback_submit(
                        author=student,
                        category=Feedback.Category.SUGGESTION,
                        subject="希望午餐多一些蔬菜",
                        body="最近的午餐肉类偏多，希望增加时令蔬菜。",
                    )
    return logins


def write_logins(logins: list[DemoLogin], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([asdict(login) for login in logins], ensure_ascii=False, indent=2) + "\n"
    )
