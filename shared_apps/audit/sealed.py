"""Trail rows sealed until their owner says otherwise.

Some rows must stay unknown for a while even to the auditors: a bid, before its tender is opened
(招标投标法 art. 22: nobody learns before the opening who bid, or how many did). The app that owns
such rows registers, in its AppConfig.ready, the model and a selector of its own returning the
rows sealed now. Every read of the trail goes through `selectors.change_list`, which leaves out
every trail row (insert, update or delete) of a row the selector returns; once the selector stops
returning it (the tender is opened), its whole history appears as usual. The audit app imports
none of the owners' code: it only runs the query they hand it.

The condition costs one comparison per trail row read (its table's name settles it for every other
table's rows) and a lookup of the sealed table's rows' ids in a hash of the selector's answer, which
PostgreSQL builds once per statement (a hashed subplan): what grows with the trail is only that
comparison, what grows with the selector is the hash (docs/security.md has the figures).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Cast
from django_tenants.utils import get_public_schema_name

# A selector of the owning app: the rows of its model whose trail nobody may read now.
SealedRows = Callable[[], QuerySet[Any]]

_sealed: dict[type[models.Model], SealedRows] = {}


def seal_trail(model: type[models.Model], rows: SealedRows) -> None:
    """Keep the trail rows of `model`'s rows that `rows()` returns out of every reader's sight.
    Only for models stored in the district's schema: the trail names a school's row by its
    schema too, which one selector's ids cannot say."""
    if model._meta.app_config.name in settings.TENANT_APPS:
        raise ImproperlyConfigured(f"{model._meta.label} is stored in every school's schema.")
    if _sealed.setdefault(model, rows) is not rows:
        raise ImproperlyConfigured(f"{model._meta.label}'s trail is already sealed otherwise.")


def sealed_changes() -> Q | None:
    """The trail rows nobody may read now, or None when no app seals any."""
    condition: Q | None = None
    for model, rows in _sealed.items():
        # row_id holds the primary key as the trigger wrote it: its text.
        ids = rows().order_by().values_list(Cast("pk", models.CharField()), flat=True)
        # In this order: for all but the sealed tables' rows, the first comparison decides.
        rows_of_model = (
            Q(table_name=model._meta.db_table)
            & Q(schema_name=get_public_schema_name())
            & Q(row_id__in=ids)
        )
        condition = rows_of_model if condition is None else condition | rows_of_model
    return condition
