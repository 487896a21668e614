"""Writes about feedback."""

from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from houqin.door import Actor, service
from houqin.exceptions import Conflict, InvalidInput
from houqin.permissions import current_school_id
from shared_apps.accounts.actors import person
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import is_school_staff
from tenant_apps.feedback.models import Feedback


@service
def feedback_submit(*, category: str, subject: str, body: str, actor: User) -> Feedback:
    """`actor` writes the feedback: a person, whom it names."""
    if not subject.strip() or not body.strip():
        raise InvalidInput(_("Feedback needs a subject and a body."))
    return Feedback.objects.create(
        author=actor, category=category, subject=subject.strip(), body=body.strip()
    )


@service
def feedback_respond(*, feedback: Feedback, response: str, actor: Actor) -> Feedback:
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if locked.status == Feedback.Status.ANSWERED:
        raise Conflict(_("This feedback has already been answered."), code="already_answered")
    if not response.strip():
        raise InvalidInput(_("The response is empty."), fields={"response": [_("Required.")]})
    locked.response = response.strip()
    locked.responded_by = person(actor)
    locked.responded_at = timezone.now()
    locked.status = Feedback.Status.ANSWERED
    locked.save()
    return locked


@service
def feedback_assign(*, feedback: Feedback, assignee: User, actor: Actor) -> Feedback:
    """Let one of the school's staff read and answer one item (a django-guardian object grant,
    stored in the school's schema). Not a student, and not someone whose only roles are the
    district's (a supplier's account, say): feedback names the people who wrote it."""
    if not is_school_staff(user=assignee, school_id=current_school_id()):
        message = _("Feedback is assigned only to a member of this school's staff.")
        raise InvalidInput(message, code="not_school_staff", fields={"username": [message]})
    assign_perm("feedback.view_feedback", assignee, feedback)
    assign_perm("feedback.respond_feedback", assignee, feedback)
    return feedback
