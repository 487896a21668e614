"""A school's memberships in its backup (`tenants.backups`): listed when it is backed up, put
back in place of the school's own when it is restored."""

from typing import Any

from houqin.access import access_changed
from shared_apps.accounts.models import Membership


def school_memberships(school: Any) -> list[dict[str, Any]]:
    rows = Membership.objects.for_school(school).values("user_id", "role", "granted_by_id")
    return [dict(row) for row in rows]


def school_memberships_restore(school: Any, rows: list[dict[str, Any]]) -> None:
    Membership.objects.for_school(school).delete()
    Membership.objects.bulk_create(Membership(school=school, **row) for row in rows)
    access_changed()  # a bulk insert sends no signal
