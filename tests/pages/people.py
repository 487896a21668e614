"""The school's people register: students and staff, on the school's host."""

from typing import Any

from tests.matrix import Scene
from tests.matrix.people import DIRECTOR, PEOPLE_READERS, STUDENT_READERS, make_student
from tests.pages import Declared, Pages


def _student(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": make_student(scene.school.schema_name).pk}


SCHOOL_PAGES: Pages = {
    "people:students": Declared(STUDENT_READERS),
    "people:student": Declared(STUDENT_READERS, _student),
    "people:national-id": Declared(DIRECTOR, _student),
    "people:import": Declared(DIRECTOR),
    "people:staff": Declared(PEOPLE_READERS),
}
