"""Columns that hold a secret or anything derived from one (a ciphertext, a keyed hash).

A model names them once, in `secret_fields`. Nothing filters, searches or orders by them: a
filter on a keyed hash answers "is this the number?" to whoever may list the rows, which is
reading the number one guess at a time. Looking a row up by such a value is an operation of its
own, with its permission, its log and its budget.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP


def secret_fields_of(model: type[models.Model]) -> frozenset[str]:
    return frozenset(getattr(model, "secret_fields", ()))


def touches_secret(model: type[models.Model], path: str) -> bool:
    """Whether the lookup `path` (e.g. `student__national_id_hash__startswith`, or an ordering
    term such as `-national_id_hash`) reads a secret field of `model` or of a model it reaches."""
    current = model
    for part in path.lstrip("-").split(LOOKUP_SEP):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or a transform: nothing further names a field
        if field.name in secret_fields_of(current):
            return True
        if field.related_model is None:
            return False
        current = field.related_model
    return False
