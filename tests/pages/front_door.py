"""The front door's pages, on every host. On the district host a member of a school (school A's,
in the matrix) is sent on to their school; on a school's host the external accounts (suppliers,
evaluators) hold nothing."""

from typing import Any

from houqin.roles import DISTRICT_ROLES, EXTERNAL_ROLES, SCHOOL_ROLES
from tests.matrix import Scene
from tests.pages import Declared, Pages

_DISTRICT = frozenset(DISTRICT_ROLES)
_SCHOOL = frozenset(SCHOOL_ROLES)
_ON_A_SCHOOL_HOST = _SCHOOL | (_DISTRICT - EXTERNAL_ROLES)


def _scene_school(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"school_id": scene.school.pk}


SCHOOL_PAGES: Pages = {
    "home": Declared(_ON_A_SCHOOL_HOST),
    "password-change": Declared(_ON_A_SCHOOL_HOST),
    "school-go": Declared(frozenset(), _scene_school, sent_on=_SCHOOL),
}
DISTRICT_PAGES: Pages = {
    "home": Declared(_DISTRICT, sent_on=_SCHOOL),
    "password-change": Declared(_DISTRICT | _SCHOOL),
    "school-go": Declared(frozenset(), _scene_school, sent_on=_SCHOOL),
}
