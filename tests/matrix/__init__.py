"""Declarations for the generated isolation and role matrix (tests/test_matrix.py).

Each module of this package declares, for the operations of one area, the roles allowed on a
school's host (`SCHOOL_OPERATIONS`) and on the district host (`DISTRICT_OPERATIONS`), and a
`build(scene, method, path, n)` that makes what one call of such an operation needs: its path
parameters and its body. A new endpoint fails `test_every_operation_is_declared` until some
module declares it. `admin.py` declares no operation: it declares the admin's pages.
"""

import importlib
import itertools
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from houqin.roles import DISTRICT_ROLES, SCHOOL_ROLES, Role
from shared_apps.accounts.models import User
from tenants.models import School
from tests.factories import user_with_role

R = Role
EVERY_SCHOOL_ROLE = frozenset(SCHOOL_ROLES)
EVERY_DISTRICT_ROLE = frozenset(DISTRICT_ROLES)
# The centre's own staff: every district role but the external accounts (suppliers, evaluators).
DISTRICT_STAFF = EVERY_DISTRICT_ROLE - {R.SUPPLIER, R.EVALUATOR}
AUDITOR = frozenset({R.AUDITOR})
DISTRICT_ADMIN = frozenset({R.DISTRICT_ADMIN})
SCHOOL_MANAGERS = frozenset({R.PRINCIPAL, R.LOGISTICS_DIRECTOR})

Operations = dict[tuple[str, str], frozenset[Role]]


def send(client: Any, method: str, path: str, body: dict[str, Any] | None) -> Any:
    """One call of an operation: a body that carries a file is an upload, sent as multipart
    (from the file's start, so that one body serves several calls); every other body as JSON."""
    files = [value for value in (body or {}).values() if hasattr(value, "read")]
    for file in files:
        file.seek(0)
    upload = bool(files)
    return getattr(client, method.lower())(path, body, format="multipart" if upload else "json")


Built = tuple[dict[str, Any], dict[str, Any] | None]


@dataclass
class Scene:
    """The objects one operation acts on, made fresh in one school (or the centre: None)."""

    school: School | None
    _seq: Iterator[int] = field(default_factory=itertools.count)

    def member(self, role: Role = R.STAFF) -> User:
        """A member of this school with `role` (in the centre: a nutrition officer)."""
        if self.school is None:
            return user_with_role(R.NUTRITION_OFFICER, None)
        return user_with_role(role, self.school)

    def path_and_body(self, method: str, path: str) -> tuple[str, dict[str, Any] | None]:
        params, body = _builder(method, path)(self, method, path, next(self._seq))
        return path.format(**params), body


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    ]


def _merged(attribute: str) -> Operations:
    merged: Operations = {}
    for module in _modules():
        declared: Operations = getattr(module, attribute, {})
        clash = set(merged) & set(declared)
        assert not clash, f"declared twice: {clash}"
        merged.update(declared)
    return merged


def _builder(method: str, path: str) -> Callable[[Scene, str, str, int], Built]:
    for module in _modules():
        if (method, path) in {**module.SCHOOL_OPERATIONS, **module.DISTRICT_OPERATIONS}:
            return module.build
    raise KeyError(f"no declaration builds {method} {path}")


SCHOOL_OPERATIONS = _merged("SCHOOL_OPERATIONS")
DISTRICT_OPERATIONS = _merged("DISTRICT_OPERATIONS")
