"""A real Celery worker, on the real broker, runs a task in the school that queued it."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection
from django_tenants.utils import tenant_context

from tenants.models import School
from tenants.tasks import school_check_task

ROOT = Path(__file__).resolve().parents[1]


def _test_database_url() -> str:
    """DATABASE_URL pointed at the test database this run created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


def test_worker_runs_a_task_in_the_school_that_queued_it(school_a, school_b):
    before_a = School.objects.get(pk=school_a.pk).checked_at
    before_b = School.objects.get(pk=school_b.pk).checked_at
    queue = f"test-worker-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "houqin",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            # A queue of this test's own: a task another test queued and left (its school long
            # gone) is not this worker's to take.
            f"--queues={queue}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with tenant_context(school_a):
            school_check_task.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        checked = before_a
        while time.monotonic() < deadline and checked == before_a:
            time.sleep(0.5)
            checked = School.objects.get(pk=school_a.pk).checked_at
        assert checked != before_a, "the worker did not run the task"
        assert School.objects.get(pk=school_a.pk).check_problems == []
        assert School.objects.get(pk=school_b.pk).checked_at == before_b
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "Traceback" not in output, output[-3000:]
