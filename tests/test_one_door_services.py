"""The apps' services go through the one door: every public function of their services modules
is a service, so whoever calls it (a view, a task, a command, a shell) names its actor, and the
trail and the rows it writes name the same one."""

import inspect
from types import ModuleType
from typing import Any

import pytest
from django.db.models import Max

from houqin import context
from houqin.door import is_service
from shared_apps.accounts import services as accounts
from shared_apps.audit import services as audit
from shared_apps.audit.models import Change, Finding
from shared_apps.procurement.services import (
    bids,
    catalogue,
    evaluation,
    evaluators,
    opening,
    ratings,
    requisitions,
    suppliers,
    tenders,
)
from shared_apps.standards import services as standards
from shared_apps.subsidies import services as subsidies
from tenant_apps.feedback import services as feedback
from tenants import services as schools
from tests.factories import make_user

MODULES = [
    accounts,
    audit,
    standards,
    subsidies,
    bids,
    catalogue,
    evaluation,
    evaluators,
    opening,
    ratings,
    requisitions,
    suppliers,
    tenders,
    feedback,
    schools,
]


def public_functions(module: ModuleType) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and member.__module__ == module.__name__
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_every_public_function_of_a_services_module_is_a_service(module: ModuleType) -> None:
    functions = public_functions(module)
    assert functions
    assert [name for name, function in functions.items() if not is_service(function)] == []


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
