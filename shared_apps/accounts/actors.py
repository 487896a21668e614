"""Who a service acts for: a signed-in user, or the system (`houqin.door.SystemActor`)."""

from houqin.door import SystemActor
from shared_apps.accounts.models import User

Actor = User | SystemActor


def person(actor: Actor) -> User | None:
    """The user behind `actor`, for `created_by` and the like; None when the system acts."""
    return actor if isinstance(actor, User) else None
