"""Who may do what changes when a token, an account or a membership does: the cached tokens and
roles (houqin.access) are then read afresh. Writes that send no signal (a queryset's update, a
bulk insert) call `houqin.access.access_changed()` themselves."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from houqin.access import access_changed
from shared_apps.accounts.models import ApiToken, Membership, User

# A sign-in notes its time on the account: that changes nobody's access.
_NOT_ACCESS = frozenset({"last_login"})


def _changed(
    sender: Any,  # noqa: ARG001 (the signal's signature)
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if update_fields is not None and update_fields <= _NOT_ACCESS:
        return
    access_changed()


def connect_invalidation() -> None:
    for model in (ApiToken, Membership, User):
        name = model._meta.model_name
        post_save.connect(_changed, sender=model, dispatch_uid=f"access_saved_{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"access_deleted_{name}")
