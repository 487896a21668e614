"""Writes about notices: `notify` puts one in the outbox, delivered after commit (see
delivery.py); a service writing many with the rows they tell of does it in its own statement
with `DRAFTS_INSERT`, and queues them with `tasks.deliver_all_on_commit`. A notice is never
lost: it stays pending, with its attempts and last error, until its channel takes it (the task
retries, the sweep queues again whatever is left)."""

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


# The outbox's INSERT for a service that writes its notices in a statement of its own (with
# the rows they tell of): `{drafts}` a query of rows (channel, recipient, subject, body, key),
# `%(notices_at)s` their time; a key already written is that notice, sent once; RETURNING the
# new notices' ids, which the caller hands to `tasks.deliver_all_on_commit`.
DRAFTS_INSERT = """INSERT INTO notices_notice
    (channel, recipient, subject, body, key, status, attempts, last_error, created_at)
SELECT d.channel, d.recipient, d.subject, d.body, d.key, 'pending', 0, '', %(notices_at)s
FROM ({drafts}) AS d (channel, recipient, subject, body, key)
ON CONFLICT DO NOTHING
RETURNING id"""


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
