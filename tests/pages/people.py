"""The school's people register: students, staff and class teachers, on the school's host."""

import itertools
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.people.services.classes import class_teacher_assign
from tests.factories import SETUP, user_with_role
from tests.matrix import R, Scene
from tests.matrix.people import DIRECTOR, PEOPLE_READERS, STUDENT_READERS, make_student
from tests.pages import Declared, Pages


def _student(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    return {"pk": make_student(scene.school.schema_name).pk}


_classes = itertools.count(1)


def _class_teacher(scene: Scene) -> dict[str, Any]:
    assert scene.school is not None
    teacher = user_with_role(R.STAFF, scene.school)
    with tenant_context(scene.school):
        taught = class_teacher_assign(
            user=teacher, school_year=2026, grade=4, class_name=f"P{next(_classes)}", actor=SETUP
        )
    return {"pk": taught.pk}


SCHOOL_PAGES: Pages = {
    "people:students": Declared(STUDENT_READERS),
    "people:student": Declared(STUDENT_READERS, _student),
    "people:national-id": Declared(DIRECTOR, _student),
    "people:import": Declared(DIRECTOR),
    "people:staff": Declared(PEOPLE_READERS),
    "people:class-teachers": Declared(PEOPLE_READERS),
    "people:class-teacher-assign": Declared(DIRECTOR),
    "people:class-teacher-end": Declared(DIRECTOR, _class_teacher),
}
