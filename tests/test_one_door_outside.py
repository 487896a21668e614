"""A real service called outside any request (a shell, a command) names its actor in the trail
and in the row it writes. Which functions are services: tests/test_services_door.py."""

from typing import Any

from django.db.models import Max

from houqin import context
from shared_apps.audit import services as audit
from shared_apps.audit.models import Change, Finding
from tests.factories import make_user


def test_a_service_called_outside_any_request_names_its_actor_in_the_trail_and_its_row(
    db: Any,
) -> None:
    """A shell or a command: nothing in the context but what the service is given."""
    auditor = make_user()
    assert context.current().actor_id is None
    mark = Change.objects.aggregate(m=Max("id"))["m"] or 0
    finding = audit.finding_create(
        school=None, title="t", body="b", severity=Finding.Severity.LOW, actor=auditor
    )
    audit.finding_update(finding=finding, status=Finding.Status.CLOSED, actor=auditor)
    assert finding.created_by_id == auditor.pk
    trail = Change.objects.filter(id__gt=mark, table_name="audit_finding")
    assert [row.actor_id for row in trail] == [auditor.pk, auditor.pk]
