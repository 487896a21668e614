"""The load benchmark: Houqin served by gunicorn with production's configuration
(deploy/gunicorn.conf.py, DEBUG off) on the bench district, and the two floors
(tests/bench/floor.py: a plain Django + DRF application reading its rows with SQL, and the same
application written with the ORM and DRF's generic views) served by the same gunicorn, driven in
turn by the same load.

The load generator is this module's: asyncio, one new connection per request (gunicorn's sync
workers close each), open loop at a fixed rate (request i is due at i / rate; its latency counts
from when it was due, so a server that falls behind is not excused by the client waiting for
it), and a closed loop of `MAX_CLIENTS` clients for the maximum rate (requests answered per
second). No wrk or locust is installed on the project's machines.

The mix, across the schools' hosts and the district's: 4 in 10 a school's feedback list, 4 in 10
one of its feedbacks (the auditor's token), 1 in 10 the district's school list (the district
administrator's), 1 in 10 a feedback written by the school's principal. Lists are asked for pages
of 20 rows, the floor's page (Houqin's default is 50): both answer the same rows, however many
feedbacks the writes have added."""

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[2]
AUDITOR_TOKEN = "bench-auditor-token"
ADMIN_TOKEN = "bench-district-admin-token"
MAX_CLIENTS = 16
# Rows a list answers, on both servers (the floor's PAGE_SIZE).
PAGE = 20
IN_FLIGHT = 512
WRITE = json.dumps({"category": "praise", "subject": "负载", "body": "好"}).encode()


@dataclass(frozen=True)
class Call:
    method: str
    host: str
    path: str
    token: str
    body: bytes = b""

    def wire(self, port: int) -> bytes:
        head = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: {self.host}:{port}",
            f"Authorization: Token {self.token}",
            "Accept: application/json",
            "Connection: close",
        ]
        if self.body:
            head += ["Content-Type: application/json", f"Content-Length: {len(self.body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + self.body


def mix(schools: list[str], count: int, seed: int = 19) -> list[Call]:
    """`count` calls of the mix, spread over `schools` (the same sequence for both servers)."""
    chosen = random.Random(seed)
    calls = []
    for _ in range(count):
        code = chosen.choice(schools)
        host = f"{code}.localhost"
        draw = chosen.random()
        if draw < 0.4:
            calls.append(Call("GET", host, f"/api/v1/feedback/?page_size={PAGE}", AUDITOR_TOKEN))
        elif draw < 0.8:
            path = f"/api/v1/feedback/{chosen.randint(1, 20)}/"
            calls.append(Call("GET", host, path, AUDITOR_TOKEN))
        elif draw < 0.9:
            calls.append(
                Call("GET", "localhost", f"/api/v1/schools/?page_size={PAGE}", ADMIN_TOKEN)
            )
        else:
            calls.append(Call("POST", host, "/api/v1/feedback/", f"bench-principal-{code}", WRITE))
    return calls


def first_calls(schools: list[str]) -> list[Call]:
    """The district's first request and each school's, by each user of the mix (its feedback
    list, read by the auditor and by its principal): after them a server has what it keeps of a
    school in its cache (its host, each user's roles there), as it has in steady use, where each
    of a thousand schools is asked something every few seconds and the entries live 5 minutes.
    Without them the mix's first minute meets a thousand schools for the first time."""
    calls = [Call("GET", "localhost", f"/api/v1/schools/?page_size={PAGE}", ADMIN_TOKEN)]
    for code in schools:
        host, path = f"{code}.localhost", f"/api/v1/feedback/?page_size={PAGE}"
        calls += [
            Call("GET", host, path, AUDITOR_TOKEN),
            Call("GET", host, path, f"bench-principal-{code}"),
        ]
    return calls


async def _each_once(port: int, calls: list[Call]) -> list[int]:
    """Each call once, by `MAX_CLIENTS` clients at a time; the statuses."""
    pending = iter(calls)
    statuses: list[int] = []

    async def client() -> None:
        for call in pending:
            statuses.append(await _send(port, call))

    await asyncio.gather(*(client() for _ in range(MAX_CLIENTS)))
    return statuses


async def _send(port: int, call: Call) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(call.wire(port))
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


async def _fixed_rate(port: int, calls: list[Call], rate: float) -> dict[str, Any]:
    gate = asyncio.Semaphore(IN_FLIGHT)
    latencies: list[float] = []
    statuses: list[int] = []
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def one(due: float, call: Call) -> None:
        async with gate:
            try:
                status = await _send(port, call)
            except OSError:
                status = 0
        latencies.append(loop.time() - due)
        statuses.append(status)

    tasks = []
    for index, call in enumerate(calls):
        due = started + index / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        tasks.append(asyncio.create_task(one(due, call)))
    await asyncio.gather(*tasks)
    return _summary(latencies, statuses, loop.time() - started)


async def _closed_loop(port: int, calls: list[Call], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: list[int] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    sequence = iter(calls * 100)

    async def client() -> None:
        while loop.time() - started < seconds:
            call = next(sequence)
            sent = loop.time()
            try:
                status = await _send(port, call)
            except OSError:
                status = 0
            latencies.append(loop.time() - sent)
            statuses.append(status)

    await asyncio.gather(*(client() for _ in range(MAX_CLIENTS)))
    return _summary(latencies, statuses, loop.time() - started)


def _summary(latencies: list[float], statuses: list[int], elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pick(share: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)

    return {
        "p50_ms": pick(0.5),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "rps": round(len(statuses) / elapsed, 1),
        "failed": sum(1 for status in statuses if not 200 <= status < 300),
        "requests": len(statuses),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: str | None, settings_module: str, database: str, **extra: str) -> Iterator[int]:
    """gunicorn with deploy/gunicorn.conf.py serving `app` (Houqin's when None) on a free port,
    until the block ends."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as runtime:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT), *sys.path]),
            "DJANGO_SETTINGS_MODULE": settings_module,
            "BENCH_DATABASE": database,
            "BENCH_STAGE": "2",
            "HOUQIN_ROOT": str(ROOT),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "RUNTIME_DIRECTORY": runtime,
            "LOG_LEVEL": "warning",
            **extra,
        }
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py")]
        server = subprocess.Popen(
            [*command, *([app] if app else [])],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            _wait_for(port, server)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=60)


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                # A worker has booted when a request is answered.
                asyncio.run(_send(port, Call("GET", "localhost", "/healthz", "")))
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("gunicorn did not answer")


def measure(
    port: int, schools: list[str], rates: list[int], seconds: float
) -> dict[str, dict[str, Any]]:
    """The mix at each fixed rate for `seconds`, then the closed loop's maximum, after a warm-up:
    every school's first requests, then the mix for as long as a measurement, to reach every
    worker."""
    answered = asyncio.run(_each_once(port, first_calls(schools)))
    assert all(200 <= status < 300 for status in answered), "a school's first request failed"
    asyncio.run(_closed_loop(port, mix(schools, 2000, seed=1), seconds))
    figures = {}
    for rate in rates:
        calls = mix(schools, int(rate * seconds), seed=rate)
        figures[f"at_{rate}"] = asyncio.run(_fixed_rate(port, calls, rate))
    figures["max"] = asyncio.run(_closed_loop(port, mix(schools, 2000), seconds))
    return figures


def _forget_keys(prefix: str) -> None:
    """Delete what the servers kept in the cache under `prefix`."""
    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        for key in store.scan_iter(match=f"*{prefix}*", count=1000):
            store.delete(key)
    finally:
        store.close()


def compare(
    schools: list[str], database: str, rates: list[int], seconds: float, pairs: int
) -> dict[str, Any]:
    """Houqin and the two floors (tests/bench/floor.py, its SQL and its ORM application), in
    turn `pairs` times, each round on a fresh server; the median of each figure over the
    rounds."""
    floor = ("tests.bench.floor:application", "tests.bench.floor", database)
    # Houqin keeps its cache where production does, under keys of this run's own.
    prefix = f"bench-load-{uuid.uuid4().hex}"
    servers = {
        "houqin": ((None, "tests.bench.settings", database), {"BENCH_CACHE_PREFIX": prefix}),
        "floor": (floor, {"BENCH_SCHOOL": schools[0]}),
        "floor_orm": (floor, {"BENCH_SCHOOL": schools[0], "BENCH_FLOOR": "orm"}),
    }
    rounds: dict[str, list[dict[str, dict[str, Any]]]] = {side: [] for side in servers}
    try:
        for _pair in range(pairs):
            for side, (app, extra) in servers.items():
                with served(*app, **extra) as port:
                    # A floor answers every request from its one school.
                    asked = schools if side == "houqin" else schools[:1]
                    rounds[side].append(measure(port, asked, rates, seconds))
    finally:
        _forget_keys(prefix)
    return {
        side: {
            key: {
                figure: statistics.median(r[key][figure] for r in results)
                for figure in results[0][key]
            }
            for key in results[0]
        }
        for side, results in rounds.items()
    }
