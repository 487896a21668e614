"""The notice outbox: a notice written with the decision is delivered after commit by its
channel; a failing channel leaves it pending with its error (never lost), retried until sent,
and sent once; the sweep queues again what is left."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.notices import tasks
from tenant_apps.notices.channels import DeliveryFailed
from tenant_apps.notices.delivery import notice_deliver
from tenant_apps.notices.models import Notice
from tenant_apps.notices.services import notify
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
