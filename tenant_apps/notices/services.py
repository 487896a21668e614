"""Writes about notices: `notify` puts one in the outbox, delivered after commit (see
delivery.py). A notice is never lost: it stays pending, with its attempts and last error, until
its channel takes it (the task retries, the sweep queues again whatever is left)."""

from django.utils.translation import gettext as _

from houqin.door import Actor, service
from houqin.exceptions import InvalidInput
from tenant_apps.notices.models import Notice
from tenant_apps.notices.tasks import deliver_on_commit


@service
def notify(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    key: str,
    actor: Actor,
) -> Notice:
    """A notice to `recipient`, written now (in the caller's transaction) and delivered once it
    commits. The same `key` again is the same notice, sent once."""
    if channel not in Notice.Channel.values or not recipient.strip():
        raise InvalidInput(_("A notice needs a channel and a recipient."), code="bad_notice")
    notice, made = Notice.objects.get_or_create(
        key=key,
        defaults={
            "channel": channel,
            "recipient": recipient.strip(),
            "subject": subject,
            "body": body,
        },
    )
    if made:
        deliver_on_commit(notice.pk)
    return notice


@service
def notify_user(
    *, user_id: int, email: str, subject: str, body: str, key: str, actor: Actor
) -> Notice:
    """A notice to a member of the school: by e-mail, or on the console when they have none."""
    return notify(
        channel="email" if email else "console",
        recipient=email or f"user:{user_id}",
        subject=subject,
        body=body,
        key=key,
        actor=actor,
    )
