"""The models keep the rules that let Houqin move to Citus schema-based sharding
(deploy/scale-out.md), checked over every installed model so that a new model or foreign key that
breaks one fails here, not on the day of the move:

- keys are `BigAutoField` (Citus hands out sequence values per node only for bigint);
- public tables never point at a school's tables (Citus refuses foreign keys into a distributed
  schema from another schema, and a school's rows are not in public anyway);
- a school table points only at its own schema or at public;
- every public table a school table points at is a declared reference table
  (`houqin.scaleout.REFERENCE_TABLES`), reference tables point only at reference tables, the
  declaration names nothing more, and the deploy plan's SQL lists exactly those tables.

Where a model lives comes from settings: an app only in SHARED_APPS has its tables in public, an
app only in TENANT_APPS in every school schema, an app in both (guardian) in both places.
"""

import re
from pathlib import Path

import pytest
from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models
from django.db.models.fields import AutoFieldMixin

from houqin import scaleout

PLAN = Path(__file__).resolve().parents[1] / "deploy" / "scale-out.md"
# The fenced SQL block right after this marker is the plan's list of reference tables.
PLAN_MARKER = "<!-- scale-out:reference-tables -->"

# The project's own apps, by module: their keys must be BigAutoField.
PROJECT_APP_MODULES = ("tenants", "shared_apps.", "tenant_apps.", "houqin")

THIRD_PARTY_REASON = "third-party app with its own default_auto_field"
# Third-party apps (by app label) whose models may keep a 32-bit AutoField key.
THIRD_PARTY_AUTOFIELD_APPS: dict[str, str] = {
    "admin": THIRD_PARTY_REASON,
    "axes": THIRD_PARTY_REASON,
    "auth": THIRD_PARTY_REASON,
    "contenttypes": THIRD_PARTY_REASON,
    "guardian": THIRD_PARTY_REASON,
    "sessions": THIRD_PARTY_REASON,
}

# Project models whose primary key is a natural key instead of BigAutoField ("app.Model": why).
NATURAL_KEY_EXCEPTIONS: dict[str, str] = {}


def _config_for(entry: str) -> AppConfig:
    """The installed app an entry of SHARED_APPS / TENANT_APPS names (module or AppConfig path)."""
    for config in apps.get_app_configs():
        if entry in (config.name, f"{type(config).__module__}.{type(config).__qualname__}"):
            return config
    raise LookupError(f"{entry!r} is in SHARED_APPS or TENANT_APPS but is not installed")


SHARED = frozenset(_config_for(entry).label for entry in settings.SHARED_APPS)
TENANT = frozenset(_config_for(entry).label for entry in settings.TENANT_APPS)
PUBLIC_ONLY = SHARED - TENANT
SCHOOL_ONLY = TENANT - SHARED

MODELS = sorted(
    (m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy),
    key=lambda m: m._meta.label,
)


def _ids(model: type[models.Model]) -> str:
    return model._meta.label


def _is_project(model: type[models.Model]) -> bool:
    name = model._meta.app_config.name
    for prefix in PROJECT_APP_MODULES:
        if prefix.endswith("."):
            if name.startswith(prefix):
                return True
        elif name == prefix or name.startswith(prefix + "."):
            return True
    return False


def _relations(model: type[models.Model]) -> list[tuple[str, type[models.Model]]]:
    """(field name, target model) for each foreign key, one-to-one and many-to-many the model's own
    table (or its many-to-many through table) holds. Generic relations are not foreign keys."""
    found = []
    for field in model._meta.get_fields(include_parents=False):
        if isinstance(field, models.ForeignKey | models.ManyToManyField):
            target = field.related_model
            assert isinstance(target, type), f"{model._meta.label}.{field.name}: unresolved"
            found.append((field.name, target))
    return found


def _is_big_key(field: object) -> bool:
    """A BigAutoField, or a key that is a foreign key to one (multi-table inheritance)."""
    if isinstance(field, models.BigAutoField):
        return True
    if isinstance(field, models.ForeignKey):
        return _is_big_key(field.target_field)
    return False


def _direct_needs() -> dict[str, set[str]]:
    """Public-only model label -> the school models that point at it."""
    needs: dict[str, set[str]] = {}
    for model in MODELS:
        if model._meta.app_label not in TENANT:
            continue
        for name, target in _relations(model):
            if target._meta.app_label in PUBLIC_ONLY:
                needs.setdefault(target._meta.label, set()).add(f"{model._meta.label}.{name}")
    return needs


def _required_reference_tables() -> set[str]:
    """What school models point at in public, and, transitively, what those tables point at."""
    required = set(_direct_needs())
    pending = list(required)
    while pending:
        model = apps.get_model(pending.pop())
        for name, target in _relations(model):
            label = target._meta.label
            if label not in required and isinstance(model._meta.get_field(name), models.ForeignKey):
                required.add(label)
                pending.append(label)
    return required


@pytest.mark.parametrize("model", MODELS, ids=_ids)
def test_primary_key_is_a_big_auto_field(model: type[models.Model]) -> None:
    pk = model._meta.pk
    label = model._meta.label
    if label in NATURAL_KEY_EXCEPTIONS:
        assert not isinstance(pk, AutoFieldMixin), (
            f"{label} is listed in NATURAL_KEY_EXCEPTIONS but its key is an auto field: "
            "make it BigAutoField and drop the exception"
        )
        return
    if _is_big_key(pk):
        return
    if _is_project(model):
        pytest.fail(
            f"{label}: primary key {type(pk).__name__}, not BigAutoField. Citus spreads sequence "
            "values over nodes only for bigint keys; use BigAutoField (or list a natural key in "
            "NATURAL_KEY_EXCEPTIONS with the reason)"
        )
    if not isinstance(pk, AutoFieldMixin):
        return  # a third-party natural key (the session key, say)
    assert model._meta.app_label in THIRD_PARTY_AUTOFIELD_APPS, (
        f"{label}: third-party model with a {type(pk).__name__} key; BigAutoField is expected, "
        "or add its app to THIRD_PARTY_AUTOFIELD_APPS if that app sets its own default_auto_field"
    )


@pytest.mark.parametrize("model", [m for m in MODELS if m._meta.app_label in SHARED], ids=_ids)
def test_public_model_never_references_a_school_model(model: type[models.Model]) -> None:
    # Apps in both lists have a public copy too, so they are checked here as well.
    bad = [
        f"{name} -> {target._meta.label}"
        for name, target in _relations(model)
        if target._meta.app_label in SCHOOL_ONLY
    ]
    assert not bad, (
        f"{model._meta.label} lives in public but points at a school's table: {bad}. Public rows "
        "carry the school id and the row id instead (DESIGN.md, Tenancy)"
    )


@pytest.mark.parametrize("model", [m for m in MODELS if m._meta.app_label in TENANT], ids=_ids)
def test_school_model_references_only_its_schema_or_public(model: type[models.Model]) -> None:
    bad = [
        f"{name} -> {target._meta.label}"
        for name, target in _relations(model)
        if target._meta.app_label not in TENANT and target._meta.app_label not in SHARED
    ]
    assert not bad, f"{model._meta.label} points outside its school schema and public: {bad}"


@pytest.mark.parametrize("model", [m for m in MODELS if m._meta.app_label in TENANT], ids=_ids)
def test_public_model_referenced_by_a_school_model_is_a_reference_table(
    model: type[models.Model],
) -> None:
    missing = [
        f"{name} -> {target._meta.label}"
        for name, target in _relations(model)
        if target._meta.app_label in PUBLIC_ONLY
        and target._meta.label not in scaleout.REFERENCE_TABLES
    ]
    assert not missing, (
        f"{model._meta.label} points at public tables that are not declared reference tables: "
        f"{missing}. Add them to houqin.scaleout.REFERENCE_TABLES and to the reference-table "
        "SQL in deploy/scale-out.md"
    )


@pytest.mark.parametrize("label", sorted(scaleout.REFERENCE_TABLES))
def test_reference_table_is_public_and_points_only_at_reference_tables(label: str) -> None:
    model = apps.get_model(label)
    assert model._meta.app_label in PUBLIC_ONLY, (
        f"{label}: a reference table must be a public-only model (its app only in SHARED_APPS)"
    )
    bad = [
        f"{name} -> {target._meta.label}"
        for name, target in _relations(model)
        if isinstance(model._meta.get_field(name), models.ForeignKey)
        and target._meta.label not in scaleout.REFERENCE_TABLES
    ]
    assert not bad, (
        f"{label} is a reference table, copied to every node, so its foreign keys may only point "
        f"at other reference tables: {bad}"
    )


def test_reference_tables_name_nothing_unneeded() -> None:
    unneeded = scaleout.REFERENCE_TABLES - _required_reference_tables()
    assert not unneeded, (
        f"REFERENCE_TABLES names {sorted(unneeded)}, which no school table points at (directly "
        "or through another reference table): remove them here and in deploy/scale-out.md"
    )


def test_deploy_plan_lists_exactly_the_reference_tables() -> None:
    text = PLAN.read_text(encoding="utf-8")
    block = re.search(re.escape(PLAN_MARKER) + r"\s*```sql\n(.*?)```", text, re.DOTALL)
    assert block, f"{PLAN.name}: no ```sql block right after {PLAN_MARKER}"
    pattern = r"create_reference_table\('public\.([a-z0-9_]+)'\)"
    listed = re.findall(pattern, block.group(1))
    expected = scaleout.reference_table_names()
    assert listed == expected, (
        f"{PLAN.name} makes reference tables of {listed}; houqin.scaleout says {expected} "
        "(same tables, same order)"
    )
    elsewhere = set(re.findall(pattern, text)) - set(expected)
    assert not elsewhere, f"{PLAN.name} calls create_reference_table on {sorted(elsewhere)} too"


def test_allow_lists_are_current() -> None:
    installed = {config.label for config in apps.get_app_configs()}
    for app_label in THIRD_PARTY_AUTOFIELD_APPS:
        assert app_label in installed, f"THIRD_PARTY_AUTOFIELD_APPS: {app_label} is not installed"
        config = apps.get_app_config(app_label)
        assert not any(_is_project(m) for m in config.get_models()), (
            f"THIRD_PARTY_AUTOFIELD_APPS: {app_label} is one of the project's own apps"
        )
    for label in NATURAL_KEY_EXCEPTIONS:
        model = apps.get_model(label)
        assert _is_project(model), f"NATURAL_KEY_EXCEPTIONS: {label} is not a project model"
