"""`make demo` as its clients and its operator see it: served by gunicorn with production's
configuration on the embedded servers, it answers 50 requests sent at once without a server
error, answers an anonymous POST with a large body with its 401 (not a reset connection), and,
stopped with Ctrl-C or SIGTERM to its process group, leaves nothing running: web, worker, beat,
the embedded PostgreSQL and Redis. The embedded servers of a test session stop with it too.

The demo runs in a state folder of its own under .test/ (kept between runs: a second run
migrates and seeds nothing new), on a free port."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import Barrier

import psutil
import pytest

from houqin import devstack

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / ".test" / "demo"
# A cold start initialises the database, migrates and seeds the district.
START_TIMEOUT = 600
# Configured servers would be used instead of the embedded ones this test is about.
SERVER_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
CONCURRENT = 50


@dataclass
class Demo:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def request(
        self, method: str, host: str, path: str, body: bytes | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = {"Host": f"{host}:{self.port}"}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def processes(self) -> list[psutil.Process]:
        """The command, its children and theirs (gunicorn's workers, Celery's pool), and the
        embedded servers (found by their data folder: they are no one's children)."""
        found = [psutil.Process(self.process.pid)]
        found += found[0].children(recursive=True)
        for process in psutil.process_iter(["cmdline"]):
            if str(STATE / "pg") in " ".join(process.info["cmdline"] or []):
                found.append(process)
        registry = json.loads((STATE / "redis.db.settings").read_text())
        found.append(psutil.Process(int(Path(registry["pidfile"]).read_text())))
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(tmp_path: Path) -> Demo:
    env = {key: value for key, value in os.environ.items() if key not in SERVER_VARIABLES}
    env |= {"DJANGO_SETTINGS_MODULE": "houqin.settings.dev", "HOUQIN_DEMO_STATE": str(STATE)}
    port = _free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "demo", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            # A process group of its own, as `make demo` has in a terminal.
            start_new_session=True,
        )
    demo = Demo(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT
    while b"demo district is running" not in log.read_bytes():
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, "the demo did not start"
        time.sleep(1)
    while True:
        try:
            if demo.request("GET", "localhost", "/healthz")[0] == 200:
                return demo
        except OSError:
            pass
        assert time.monotonic() < deadline, "the demo's web did not answer"
        time.sleep(0.5)


@pytest.mark.slow
# Both runs share the demo's state folder: one after the other, on one worker.
@pytest.mark.xdist_group("demo_state")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_demo_serves_like_production_and_stops_whole(
    tmp_path: Path, stop: signal.Signals
) -> None:
    demo = _start(tmp_path)
    try:
        logins = json.loads((STATE / "logins.json").read_text())
        school = f"{next(entry['school'] for entry in logins if entry['school'])}.localhost"
        everything = demo.processes()
        names = " ".join(" ".join(process.cmdline()) for process in everything)
        assert "gunicorn" in names and "runserver" not in names
        assert "celery" in names and "beat" in names
        # Every process holds one connection at most; the database takes what they hold.
        wanted = devstack.DEMO_CONNECTIONS + devstack.RESERVED_CONNECTIONS
        assert (
            f"max_connections = '{wanted}'" in (STATE / "pg" / "postgresql.auto.conf").read_text()
        )

        requests = [
            ("localhost", "/healthz"),
            ("localhost", "/"),
            ("localhost", "/static/houqin/app.css"),
            (school, "/"),
            (school, "/api/v1/students/"),
        ]
        start = Barrier(CONCURRENT)

        def fire(index: int) -> int:
            host, path = requests[index % len(requests)]
            start.wait()
            return demo.request("GET", host, path)[0]

        with ThreadPoolExecutor(CONCURRENT) as pool:
            statuses = list(pool.map(fire, range(CONCURRENT)))
        assert statuses and all(status < 500 for status in statuses), statuses
        assert statuses[2] == 200, "static files are served by the app"

        status, body = demo.request(
            "POST", school, "/api/v1/feedback/", body=b"note=" + b"a" * 3_000_000
        )
        assert status == 401, body[:300]
    finally:
        os.killpg(demo.process.pid, stop)
        demo.process.wait(timeout=90)
    _, alive = psutil.wait_procs(everything, timeout=15)
    assert not alive, [process.cmdline() for process in alive]


@pytest.mark.slow
def test_the_embedded_servers_stop_with_the_process_that_started_them() -> None:
    """A test session's servers (the tests' settings start them with the superuser's access):
    the process that started them, ended by SIGTERM, stops them, though a user of the server
    that died unannounced is still listed by pgserver."""
    state = ROOT / ".test" / "stopping"
    env = {key: value for key, value in os.environ.items() if key not in SERVER_VARIABLES}
    script = (
        "import json, sys, time\n"
        "from houqin import devstack\n"
        f"devstack.ensure_services({str(state)!r}, superuser=True)\n"
        "print(json.dumps([devstack._handles[0].get_pid(), devstack._handles[1].pid]))\n"
        "sys.stdout.flush()\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**env, "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}"},
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    servers = [psutil.Process(pid) for pid in json.loads(process.stdout.readline())]
    users = state / "pg" / ".handle_pids.json"
    users.write_text(json.dumps([*json.loads(users.read_text()), _dead_pid()]))
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    _, alive = psutil.wait_procs(servers, timeout=15)
    assert not alive, [server.cmdline() for server in alive]


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
