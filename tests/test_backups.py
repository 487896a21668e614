"""Back up one school and restore it as a new school or over itself: row counts and checksums
of every table match, and the school's memberships come back."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django_tenants.utils import schema_context, tenant_context

from houqin.roles import Role
from shared_apps.accounts.models import Membership
from tenant_apps.feedback.models import Feedback
from tenant_apps.feedback.services import feedback_assign
from tenants.backups import school_backup, school_restore, table_checksums
from tenants.models import School
from tenants.services import school_create
from tests.factories import SETUP, user_with_role


@pytest.fixture
def busy_school(db: Any) -> School:
    school = school_create(actor=SETUP, code="600001", name="备份学校", kind="junior")
    student = user_with_role(Role.STUDENT, school)
    cook = user_with_role(Role.CANTEEN_MANAGER, school)
    with tenant_context(school):
        items = [
            Feedback.objects.create(
                author=student, category="praise", subject=f"第{i}条", body="好"
            )
            for i in range(5)
        ]
        feedback_assign(feedback=items[0], assignee=cook, actor=SETUP)
    return school


def test_restore_as_a_new_school_matches_the_backup(busy_school: School, tmp_path: Path) -> None:
    path = tmp_path / "600001.tar.gz"
    summary = school_backup(school=busy_school, path=path)
    assert summary.rows > 5
    copy = school_restore(actor=SETUP, path=path, code="600002")
    assert table_checksums(copy.schema_name) == table_checksums(busy_school.schema_name)
    assert sorted(
        Membership.objects.across_schools().filter(school=copy).values_list("user_id", "role")
    ) == sorted(
        Membership.objects.across_schools()
        .filter(school=busy_school)
        .values_list("user_id", "role")
    )
    with schema_context(copy.schema_name):
        new = Feedback.objects.create(
            author_id=Membership.objects.across_schools().filter(school=copy).first().user_id,  # type: ignore[union-attr]
            category="praise",
            subject="恢复后",
            body="新",
        )
        assert new.pk > max(Feedback.objects.exclude(pk=new.pk).values_list("pk", flat=True))


def test_restore_over_itself_undoes_later_changes(busy_school: School, tmp_path: Path) -> None:
    path = tmp_path / "600001.tar.gz"
    school_backup(school=busy_school, path=path)
    before = table_checksums(busy_school.schema_name)
    with schema_context(busy_school.schema_name):
        Feedback.objects.filter(subject="第1条").delete()
        Feedback.objects.update(body="改动")
    Membership.objects.across_schools().filter(school=busy_school, role="canteen_manager").delete()
    assert table_checksums(busy_school.schema_name) != before
    school_restore(actor=SETUP, path=path)
    assert table_checksums(busy_school.schema_name) == before
    assert (
        Membership.objects.across_schools()
        .filter(school=busy_school, role="canteen_manager")
        .exists()
    )


def test_commands_and_bad_input(busy_school: School, tmp_path: Path) -> None:
    path = tmp_path / "b.tar.gz"
    call_command("backup_school", "600001", str(path))
    call_command("restore_school", str(path), "--as", "600003")
    assert School.objects.filter(code="600003").exists()
    with pytest.raises(CommandError):
        call_command("restore_school", str(path), "--as", "600003")  # the code is taken
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    with translation.override("en"), pytest.raises(CommandError, match="not a school backup"):
        call_command("restore_school", str(junk))
    with pytest.raises(CommandError):
        call_command("backup_school", "999999", str(tmp_path / "x.tar.gz"))
