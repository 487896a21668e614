"""Handing a notice to its channel (the task's half of the outbox)."""

from django.utils import timezone

from houqin.door import Actor, service
from tenant_apps.notices.channels import DeliveryFailed, channel_for
from tenant_apps.notices.models import Notice


@service
def notice_deliver(*, notice_id: int, actor: Actor) -> bool:
    """Hand the notice to its channel; True once it is sent (now or before). A notice another
    worker is sending is left to it (False). A failure is recorded on the notice, which stays
    pending, and answers False for the task to retry."""
    notice = (
        Notice.objects.select_for_update(skip_locked=True)
        .filter(pk=notice_id, status=Notice.Status.PENDING)
        .first()
    )
    if notice is None:
        return Notice.objects.filter(pk=notice_id, status=Notice.Status.SENT).exists()
    try:
        channel_for(notice.channel).send(
            recipient=notice.recipient, subject=notice.subject, body=notice.body, key=notice.key
        )
    except DeliveryFailed as exc:
        Notice.objects.filter(pk=notice.pk).update(
            attempts=notice.attempts + 1, last_error=str(exc)[:500]
        )
        return False
    notice.status = Notice.Status.SENT
    notice.sent_at = timezone.now()
    notice.attempts += 1
    notice.last_error = ""
    notice.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    return True
