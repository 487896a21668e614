"""School lifecycle: create (schema and domain in one transaction), suspend, reactivate, archive."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.tasks import queue_on_commit
from tenants import provisioning, routing
from tenants.models import Domain, School, schema_name_for, validate_school_code
from tenants.routing import school_host

# By name: the task that runs an import of schools calls these services (tenants.school_imports).
POOL_REFILL_TASK = "tenants.tasks.pool_refill_task"


@service
def school_create(
    *,
    code: str,
    name: str,
    kind: str,
    boarding: bool = False,
    rural: bool = False,
    address: str = "",
    actor: Actor,
) -> School:
    """Create a school, its schema (from the warm pool or the template, every migration applied)
    and its domain, all or nothing: a failure at any step leaves no school row, no domain and no
    schema behind."""
    code = (code or "").strip()
    try:
        validate_school_code(code)
    except ValidationError as exc:
        raise InvalidInput(
            exc.messages[0], code=exc.error_list[0].code, fields={"code": exc.messages}
        ) from exc
    if kind not in School.Kind.values:
        raise InvalidInput(_("Unknown kind of school."), fields={"kind": [_("Unknown kind.")]})
    if not name.strip():
        raise InvalidInput(_("A school needs a name."), fields={"name": [_("Required.")]})
    template = provisioning.current_template()
    if School.objects.filter(code=code).exists():
        raise Conflict(_("A school with this code already exists."), code="duplicate_code")
    school = School(
        code=code,
        schema_name=schema_name_for(code),
        name=name.strip(),
        kind=kind,
        boarding=boarding,
        rural=rural,
        address=address,
        migration_fingerprint=template.fingerprint,
    )
    school.save()
    Domain.objects.create(domain=school_host(code), tenant=school, is_primary=True)
    # Only a school that took a pooled schema leaves a gap to refill: a bulk import made from the
    # template queues nothing.
    if provisioning.schema_create(school.schema_name) and settings.SCHOOL_POOL_SIZE:
        queue_on_commit(POOL_REFILL_TASK)
    return school


def _set_status(school: School, status: str, reason: str) -> School:
    locked = School.objects.select_for_update().get(pk=school.pk)
    if locked.status == School.Status.ARCHIVED and status != School.Status.ARCHIVED:
        raise Conflict(_("An archived school cannot be changed."), code="school_archived")
    locked.status = status
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason"])
    routing.forget_school(locked)
    return locked


@service
def school_suspend(*, school: School, reason: str, actor: Actor) -> School:
    if not reason.strip():
        raise InvalidInput(
            _("Say why the school is suspended."), fields={"reason": [_("Required.")]}
        )
    return _set_status(school, School.Status.SUSPENDED, reason.strip())


@service
def school_reactivate(*, school: School, reason: str = "", actor: Actor) -> School:
    """Reinstate a suspended school: its host serves again; the reason, when given, stays on the
    school (and in its trail) as why."""
    return _set_status(school, School.Status.ACTIVE, reason.strip())


@service
def school_archive(*, school: School, reason: str = "", actor: Actor) -> School:
    """Archive a school: its host stops serving, its schema and trail are kept for auditors."""
    return _set_status(school, School.Status.ARCHIVED, reason.strip())
