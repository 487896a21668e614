"""Writes about who belongs with a class: its class teacher (班主任) for a school year, named by
the logistics director, and the pupils' own accounts. What a class teacher may do for their
pupils (ask for leave, ask for a room change, read tonight's roll call) follows from the
assignment, not from a role of its own: see `selectors.pupils_taught`."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.permissions import current_school_id
from houqin.roles import Role
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import is_school_staff, role_names_for
from tenant_apps.people.models import GRADES, ClassTeacher, Student


@service
def class_teacher_assign(
    *, user: User, school_year: int, grade: int, class_name: str, actor: Actor
) -> ClassTeacher:
    """Make `user`, one of the school's staff, the class teacher of `grade`/`class_name` for
    `school_year`. A class has one class teacher a year; a teacher may have several classes."""
    class_name = class_name.strip()
    if grade not in GRADES:
        message = _("Enter a grade from 1 to 12.")
        raise InvalidInput(message, code="invalid", fields={"grade": [message]})
    if not class_name:
        raise InvalidInput(_("Name the class."), fields={"class_name": [_("Required.")]})
    if not is_school_staff(user=user, school_id=current_school_id()):
        message = _("That user holds no staff role in this school.")
        raise InvalidInput(message, code="not_staff", fields={"username": [message]})
    try:
        with transaction.atomic():
            return ClassTeacher.objects.create(
                user=user,
                school_year=school_year,
                grade=grade,
                class_name=class_name,
                created_by=person(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("The class has a class teacher for that school year already."),
            code="class_taught",
        ) from None


@service
def class_teacher_remove(*, class_teacher: ClassTeacher, actor: Actor) -> None:
    """The class teacher no longer teaches the class (the trail keeps who did, and when)."""
    ClassTeacher.objects.filter(pk=class_teacher.pk).delete()


@service
def student_account_link(*, student: Student, user: User | None, actor: Actor) -> Student:
    """Link the pupil to their own account (a student's in this school), or unlink it."""
    locked = Student.objects.select_for_update().get(pk=student.pk)
    if user is not None:
        if Role.STUDENT not in role_names_for(user_id=user.pk, school_id=current_school_id()):
            message = _("That user holds no student role in this school.")
            raise InvalidInput(message, code="not_a_student", fields={"username": [message]})
        if Student.objects.filter(user=user).exclude(pk=locked.pk).exists():
            message = _("That user is already linked to another student.")
            raise Conflict(message, code="user_already_linked", fields={"username": [message]})
    locked.user = user
    locked.save(update_fields=["user", "updated_at"])
    return locked
