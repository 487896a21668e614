"""The user behind a service's actor (`houqin.door.Actor`), and the user a request acts for."""

from django.http import HttpRequest
from rest_framework.request import Request

from houqin.door import Actor
from shared_apps.accounts.models import User


def person(actor: Actor) -> User | None:
    """The user behind `actor`, for `created_by` and the like; None when the system acts."""
    return actor if isinstance(actor, User) else None


def signed_in(request: HttpRequest | Request) -> User:
    """The user a request acts for: the API and the admin let no one else reach a service (and
    the door refuses anyone who is not an actor)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError(f"a service acts for a signed-in user, not {user!r}")
    return user
