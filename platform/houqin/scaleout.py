"""What the database must know when Houqin grows past one PostgreSQL node.

The plan (deploy/scale-out.md) is Citus schema-based sharding: each school schema becomes a
distributed schema that lives, whole, on one worker node. Tables in such a schema may keep foreign
keys only to tables in the same schema or to *reference tables*, public tables that Citus copies
to every node. Which public tables those are is decided here, in code, so that it is reviewed with
the model change that needs it:

- `REFERENCE_TABLES` names (as `app_label.ModelName`) every public model that a school model
  points at by foreign key, plus every public model such a reference table itself points at (a
  reference table's copy on a worker can only keep foreign keys to other reference tables).
- `reference_table_names()` turns that into the table names, in an order in which
  `create_reference_table()` can be run; the SQL block in deploy/scale-out.md lists exactly these.

tests/test_scale_out.py keeps both exact: a new foreign key from a school table to a public table
fails until the public model is added here (and to the deploy plan); an entry nothing needs any
more fails too.
"""

from django.apps import apps
from django.db import models

REFERENCE_TABLES: frozenset[str] = frozenset(
    {
        # Who wrote, answered or holds a grant on a school's rows.
        "accounts.User",
        # Object-level grants (guardian) in every school schema point at these.
        "auth.Group",
        "auth.Permission",
        "contenttypes.ContentType",
        # What a school's orders are placed with and for: the supplier, the framework contract,
        # the catalogue item (and the food composition a catalogue item may name).
        "procurement.Supplier",
        "procurement.FrameworkContract",
        "procurement.CatalogueItem",
        "standards.Food",
        # The school that opened an account: users are reference tables, so what they point at is
        # one too (a few hundred rows, written when a school is created or suspended).
        "tenants.School",
        # The programme a student's eligibility is for: a handful of rows the centre defines.
        "subsidies.Programme",
    }
)


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def reference_table_names() -> list[str]:
    """The db_table of every model in REFERENCE_TABLES, each after the reference tables it points
    at by foreign key (ties in name order). Needs the app registry (call after django.setup())."""
    tables = {label: _model(label) for label in REFERENCE_TABLES}
    depends = {
        label: {
            field.related_model._meta.label
            for field in model._meta.get_fields(include_parents=False)
            if isinstance(field, models.ForeignKey)
            and isinstance(field.related_model, type)
            and field.related_model._meta.label in tables
            and field.related_model._meta.label != label
        }
        for label, model in tables.items()
    }
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = sorted(
            (label for label in tables if label not in ordered and depends[label] <= set(ordered)),
            key=lambda label: tables[label]._meta.db_table,
        )
        if not ready:
            raise ValueError(f"reference tables point at each other in a cycle: {depends}")
        ordered.append(ready[0])
    return [tables[label]._meta.db_table for label in ordered]
