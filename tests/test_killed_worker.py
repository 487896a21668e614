"""A Celery worker killed with SIGKILL in the middle of a task loses no task and duplicates no
effect, on the real broker: Redis (embedded, or REDIS_URL) and RabbitMQ (when one answers on
127.0.0.1:5672, as on the project's machines). Tasks acknowledge late and are rejected on worker
loss, so the broker delivers the task again to the next worker; the task's effect is keyed."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from houqin.models import IdempotencyRecord

ROOT = Path(__file__).resolve().parents[1]
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def _rabbitmq_answers() -> bool:
    try:
        with Connection(RABBITMQ, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:  # noqa: BLE001 - any failure means there is no broker to test against
        return False


def _worker(broker: str, queue: str, *, sweep: bool = False) -> subprocess.Popen[str]:
    """A worker for `queue`. With `sweep`, it looks for tasks of dead workers every second (Redis
    only; RabbitMQ needs no sweep). The worker to be killed does not sweep: killed while holding
    the sweep's lock, it would keep every other worker from sweeping for minutes."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(
            parts._replace(path="/" + str(connection.settings_dict["NAME"]))
        ),
        "CELERY_BROKER_URL": broker,
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_RESTORE_INTERVAL": "1" if sweep else "600",
        "CELERY_RESTORE_THROTTLE": "1" if sweep else "10",
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "houqin",
            "worker",
            "--include",
            "tests.worker_tasks",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


BROKERS = [
    pytest.param(lambda: settings.CELERY_BROKER_URL, id="redis"),
    pytest.param(
        lambda: RABBITMQ,
        id="rabbitmq",
        marks=pytest.mark.skipif(not _rabbitmq_answers(), reason="no RabbitMQ on 127.0.0.1"),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("broker_url", BROKERS)
def test_a_killed_worker_loses_no_task_and_duplicates_no_effect(
    committed: list[Any], tmp_path: Path, broker_url: Any
) -> None:
    from tests.worker_tasks import slow_effect_task

    broker = broker_url()
    marker = f"kill-{uuid.uuid4().hex}"
    queue = f"q-{marker}"
    attempts = tmp_path / "attempts"
    attempts.touch()
    committed.append(lambda: IdempotencyRecord.objects.across_schools().filter(key=marker).delete())
    with Connection(broker) as conn:
        slow_effect_task.apply_async(  # type: ignore[call-arg]
            args=(marker, 3.0, str(attempts)), queue=queue, connection=conn
        )
    first = _worker(broker, queue)
    try:
        assert _wait_for(lambda: attempts.read_text().count("\n") >= 1, 60), "never started"
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool, mid-task
        first.wait(timeout=30)
        assert not IdempotencyRecord.objects.across_schools().filter(key=marker).exists()
        second = _worker(broker, queue, sweep=True)
        try:
            done = _wait_for(
                lambda: IdempotencyRecord.objects.across_schools().filter(key=marker).exists(), 90
            )
            assert done, "the task was lost with the killed worker"
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert attempts.read_text().count("\n") >= 2  # it really ran again
    assert (
        IdempotencyRecord.objects.across_schools().filter(key=marker).count() == 1
    )  # and took effect once
