"""The notice outbox: a notice written with the decision is delivered after commit by its
channel; a failing channel leaves it pending with its error (never lost), retried until sent,
and sent once; the sweep queues again what is left."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.notices import tasks
from tenant_apps.notices.channels import DeliveryFailed
from tenant_apps.notices.delivery import notice_deliver
from tenant_apps.notices.models import Notice
from tenant_apps.notices.services import DRAFTS_INSERT, notify
from tenant_apps.notices.tasks import deliver_all_on_commit
from tests.conftest import tasks_queued
from tests.factories import SETUP


def _notify(key: str = "t:1") -> Notice:
    return notify(
        channel="sms", recipient="13800138000", subject="提醒", body="内容", key=key, actor=SETUP
    )


def test_a_notice_is_queued_on_commit_and_the_same_key_is_one_notice(school_a):
    with tenant_context(school_a):
        with tasks_queued() as queued:
            first = _notify()
            again = _notify()
        assert first.pk == again.pk
        assert queued == [tasks.notice_deliver_task.name]


def test_a_failing_channel_leaves_the_notice_pending_with_its_error(school_a):
    with tenant_context(school_a):
        with tasks_queued():
            notice = _notify("t:2")
        channel = mock.Mock()
        channel.send.side_effect = DeliveryFailed("gateway down")
        with mock.patch("tenant_apps.notices.delivery.channel_for", return_value=channel):
            assert notice_deliver(notice_id=notice.pk, actor=SETUP) is False
        notice.refresh_from_db()
        assert (notice.status, notice.attempts, notice.last_error) == ("pending", 1, "gateway down")
        assert notice_deliver(notice_id=notice.pk, actor=SETUP) is True
        assert notice_deliver(notice_id=notice.pk, actor=SETUP) is True
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == ("sent", 2)


def test_the_task_retries_while_the_channel_fails(school_a):
    with tenant_context(school_a):
        with tasks_queued():
            notice = _notify("t:3")
        with (
            mock.patch("tenant_apps.notices.tasks.notice_deliver", return_value=False),
            mock.patch.object(
                tasks.notice_deliver_task, "retry", side_effect=RuntimeError("retry")
            ),
            pytest.raises(RuntimeError, match="retry"),
        ):
            tasks.notice_deliver_task(notice.pk)


def test_the_sweep_queues_again_notices_left_pending(school_a):
    with tenant_context(school_a):
        with tasks_queued():
            notice = _notify("t:4")
        Notice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - timedelta(hours=1))
        with mock.patch.object(tasks.notice_deliver_task, "delay") as delay:
            assert tasks.notices_sweep_task() == 1
        delay.assert_called_once_with(notice.pk)


def test_notices_written_together_are_one_insert_one_task_and_a_failure_is_retried_alone(
    school_a,
):
    with tenant_context(school_a):
        first = _notify("t:5")
        drafts = DRAFTS_INSERT.format(
            drafts="SELECT 'sms', '1380013800' || n, '提醒', '内容', 't:' || n "
            "FROM unnest(ARRAY[5, 6, 7]) AS n"
        )
        with tasks_queued() as queued, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(drafts, {"notices_at": timezone.now()})
            new = [pk for (pk,) in cursor.fetchall()]
            assert len(new) == 2
            deliver_all_on_commit(new)
            cursor.execute(drafts, {"notices_at": timezone.now()})
            assert cursor.fetchall() == []
        assert queued == [tasks.notices_deliver_task.name]
        made = list(Notice.objects.filter(key__in=["t:6", "t:7"]).values_list("pk", flat=True))
        assert Notice.objects.get(pk=first.pk).recipient == "13800138000"
        with (
            mock.patch(
                "tenant_apps.notices.tasks.notice_deliver",
                side_effect=lambda notice_id, actor: notice_id != made[0],
            ),
            mock.patch.object(tasks.notice_deliver_task, "apply_async") as retried,
        ):
            assert tasks.notices_deliver_task(made) == 1
        retried.assert_called_once_with((made[0],), countdown=tasks.RETRY_SECONDS)
