"""The tenant harness: the test database is set up as production sets it up, school schemas are
built once per run (committed before any test), and every test runs inside a transaction that is
rolled back. The schema in force is checked after every test: nothing may leave a school's
search_path behind."""

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import coverage
import psycopg2
import pytest
from celery import Celery
from Crypto.PublicKey.RSA import RsaKey
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.backends.signals import connection_created
from django.test import TestCase
from django.test.utils import setup_databases, teardown_databases
from django.utils import translation
from django_tenants.utils import schema_context
from psycopg2 import sql
from rest_framework.test import APIClient

from houqin import devstack
from houqin.db import tenant_db
from houqin.roles import Role
from shared_apps.accounts.models import User
from shared_apps.audit.models import Change
from shared_apps.procurement import sealing
from tenants.models import School
from tenants.routing import school_host
from tenants.services import school_create
from tests.browser.chromium import INSTALL_CHROMIUM, chromium_path
from tests.factories import SETUP, token_for, user_with_role

SCHOOL_A = "100001"
SCHOOL_B = "100002"
# The role that owns what the migrations and school provisioning make (deploy/postgres/).
OWNER_ROLE = "houqin_owner"


@contextmanager
def _acting_as(role: str) -> Iterator[None]:
    """Every new connection to the test database acts as `role` until the block ends."""

    def set_role(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.alias == DEFAULT_DB_ALIAS:
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {role}")

    connection.close()
    connection_created.connect(set_role, dispatch_uid="test_acting_as")
    try:
        yield
    finally:
        connection_created.disconnect(dispatch_uid="test_acting_as")
        connection.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, the others in their order: spread over the workers of a parallel
    run from its start, rather than one worker running the last of them while the others, done,
    wait (make pytest). Among each, first those that do not need the test database (the bench
    and the demo make their own): the first worker to need it sets it up while the other runs
    them, where both used to start by waiting for that setup. `make pytest` hands the tests out
    in this order (`--no-loadscope-reorder`: xdist would otherwise hand out its groups of
    several tests first)."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("slow") is None,
            "django_db_setup" in getattr(item, "fixturenames", ()),
        )
    )


ROOT = Path(__file__).resolve().parents[1]
# What the test database's setup depends on: any change there makes it anew.
SETUP_SOURCES = ("platform", "tenants", "shared_apps", "tenant_apps", "deploy/postgres")


def _setup_key() -> str:
    """A digest of the code a setup of the test database runs, of the settings module and of the
    day (the schools are made on it)."""
    digest = hashlib.sha256(
        f"{os.environ['DJANGO_SETTINGS_MODULE']} {datetime.now(UTC).date()}".encode()
    )
    paths = [ROOT / "tests" / "conftest.py", ROOT / "tests" / "factories.py"]
    for folder in SETUP_SOURCES:
        paths += sorted(
            path for path in (ROOT / folder).rglob("*") if path.suffix in (".py", ".sql")
        )
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _setup_prefix() -> str:
    """The name of this checkout's set-up test databases, less their key."""
    return f"test_houqin_setup_{hashlib.sha256(str(ROOT).encode()).hexdigest()[:6]}_"


@pytest.fixture(scope="session")
def django_db_setup(
    django_test_environment: Any, django_db_blocker: Any, django_db_modify_db_settings: Any
) -> Iterator[None]:
    """The test database, created for every run whatever the tests ask for (pytest-django would
    skip it when only `committed` tests run), with the two schools every test may use. It is set
    up as production sets it up, by the same scripts: deploy/postgres/bootstrap.sql (roles and
    rights), the migrations and the schools made by the owner role (as the migrator and the
    provisioning functions make them), then deploy/postgres/trail_ownership.sql. The harness
    itself goes on as the superuser.

    The first setup of a given code (`_setup_key`) is kept as a template database, and the other
    runs and workers of the checkout copy it (CREATE DATABASE ... TEMPLATE, a file copy) instead
    of migrating and making the schools again; bootstrap.sql still sets the copy's database-wide
    rights, which a copy does not carry.

    That first setup runs untraced by coverage (`_untraced`): Django renders the project's model
    states again for each of some 600 operations, pure Python that coverage's tracer slowed by
    three quarters (101 s against 58 s), while every other worker waited for it. The same
    migrations and provisioning run traced where they are tested (tests/test_provisioning.py
    rebuilds the template, tests/test_releases.py migrates a scratch schema)."""
    superuser = os.environ["DATABASE_URL"]
    name = str(connection.settings_dict["TEST"]["NAME"])
    template = _setup_prefix() + _setup_key()
    # The server's maintenance database: the configured one need not exist (on a real server
    # only the test database is made).
    postgres = devstack.url_as(superuser, database="postgres")
    with django_db_blocker.unblock():
        maintenance = psycopg2.connect(postgres)
        maintenance.autocommit = True
        try:
            with maintenance.cursor() as cursor:
                # One setup of the code at a time; the runs waiting for it then copy it.
                cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
                kept = cursor.fetchone() is not None
                # The roles belong to the whole server: runs in parallel (pytest -n, several
                # checkouts on one server) make and grant them one at a time.
                cursor.execute("SELECT pg_advisory_lock(hashtext('houqin tests: bootstrap.sql'))")
                drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
                cursor.execute(sql.SQL(drop).format(sql.Identifier(name)))
                if kept:
                    copy = "CREATE DATABASE {} TEMPLATE {}"
                    cursor.execute(
                        sql.SQL(copy).format(sql.Identifier(name), sql.Identifier(template))
                    )
                # Made anew by bootstrap.sql, as production's is (a copy: its rights set).
                devstack.deploy_sql(
                    "bootstrap.sql", postgres, database=name, **devstack.DEV_PASSWORDS
                )
                cursor.execute("SELECT pg_advisory_unlock(hashtext('houqin tests: bootstrap.sql'))")
                if kept:
                    databases = _use_test_database(name)
                else:
                    with _untraced():
                        databases = _set_up(name, superuser)
                    _keep_as_template(cursor, name, template)
        finally:
            maintenance.close()
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


@contextmanager
def _untraced() -> Iterator[None]:
    """Coverage paused for the block, when this run measures it."""
    measuring = coverage.Coverage.current()
    if measuring is None:
        yield
        return
    measuring.stop()
    try:
        yield
    finally:
        measuring.start()


def _use_test_database(name: str) -> list[tuple[Any, str, bool]]:
    """Point the connection at the test database `name` (a copy), as Django's own setup would;
    returns what `teardown_databases` takes to drop it."""
    old_name = str(connection.settings_dict["NAME"])
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    return [(connection, old_name, True)]


def _set_up(name: str, superuser: str) -> Any:
    with _acting_as(OWNER_ROLE):
        databases = setup_databases(
            verbosity=0,
            interactive=False,
            keepdb=True,  # made above
            aliases={"default"},  # type: ignore[arg-type]
            serialized_aliases=set(),  # no test asks for a serialized rollback
        )
        for code, school_name in ((SCHOOL_A, "测试学校甲"), (SCHOOL_B, "测试学校乙")):
            school_create(actor=SETUP, code=code, name=school_name, kind=School.Kind.PRIMARY)
        # School B's ids start far above A's, so a B id used on A's host can only be found
        # by a leak, never by coincidence.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT format('%%I.%%I', schemaname, sequencename) FROM pg_sequences "
                "WHERE schemaname = %s",
                [f"s_{SCHOOL_B}"],
            )
            for (sequence,) in cursor.fetchall():
                cursor.execute("SELECT setval(%s, 1000000)", [sequence])
    devstack.deploy_sql("trail_ownership.sql", devstack.url_as(superuser, database=name))
    return databases


def _keep_as_template(cursor: Any, name: str, template: str) -> None:
    """Copy the freshly set-up `name` to `template` for the next runs, dropping the checkout's
    templates of other code. A copy needs `name` idle: the connection is closed first."""
    connection.close()
    cursor.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
        [_setup_prefix() + "%", template],
    )
    drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
    for (stale,) in cursor.fetchall():
        cursor.execute(sql.SQL(drop).format(sql.Identifier(stale)))
    copy = "CREATE DATABASE {} TEMPLATE {}"
    # Something still reading `name` leaves no template: the next run sets up anew.
    with suppress(psycopg2.errors.ObjectInUse):
        cursor.execute(sql.SQL(copy).format(sql.Identifier(template), sql.Identifier(name)))


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Code run outside a request (services, renderers, commands) speaks English in tests, so
    that assertions on messages do not depend on which test ran before (commands switch
    translation off). Requests still choose their language as in production: zh-Hans unless the
    client asks otherwise."""
    with translation.override("en"):
        yield


# The RSA keys tests are given, by size: made once per process (_keys_from_a_pool).
_KEYS: dict[int, list[RsaKey]] = {}


@pytest.fixture(autouse=True)
def _keys_from_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sealing makes an RSA key pair for each evaluator and each tender published, and
    pycryptodome searches for primes in Python: a 1,024-bit key took 240 ms under coverage's
    tracer, and the procurement tests made 200 a run (47 s). A test is given real keys made once
    per process instead, each a different key within the test: its n-th key of a size is the
    pool's n-th, made by `sealing.new_key_pair` the first time a test asks for that many."""
    make = sealing.new_key_pair
    given: Counter[int] = Counter()

    def from_the_pool(bits: int) -> RsaKey:
        pool = _KEYS.setdefault(bits, [])
        if given[bits] == len(pool):
            pool.append(make(bits))
        given[bits] += 1
        return pool[given[bits] - 1]

    monkeypatch.setattr(sealing, "new_key_pair", from_the_pool)


@pytest.fixture(autouse=True)
def _schema_is_public_after_each_test() -> Iterator[None]:
    yield
    # The caches are not transactional: what a test cached must not outlive its rollback.
    for cache in caches.all():
        cache.clear()
    assert tenant_db().schema_name == "public", f"schema {tenant_db().schema_name} leaked"


def last_change() -> int | None:
    """The audit trail's last row, by its id (one sequence for every schema): a write anywhere
    moves it. Reading it off the primary key is cheaper than counting the trail."""
    return Change.objects.across_schools().order_by("-id").values_list("id", flat=True).first()


@contextmanager
def tasks_queued() -> Iterator[list[str]]:
    """The names of the tasks the block queues, those it queues on commit included, in order;
    nothing reaches a broker. A test's transaction is rolled back, never committed, so the
    on-commit callbacks the block registers run at its end, as its commit would run them: those
    of a savepoint the block rolled back are dropped, as they are in production."""
    queued: list[str] = []

    # A plain function in Celery's place, bound to the app as the method is: an autospec'd mock
    # read Celery's signature again on every call, a cost every request of the matrix paid.
    def send_task(app: Celery, name: str, *args: Any, **kwargs: Any) -> Any:
        queued.append(name)
        return mock.MagicMock(name=f"queued {name}")

    with (
        mock.patch.object(Celery, "send_task", send_task),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        yield queued


@pytest.fixture
def committed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[Callable[[], Any]]]:
    """For tests that need several connections: no enclosing transaction, every write is
    committed and seen by every connection. The test appends a cleanup for whatever it made;
    the cleanups run in reverse at the end. (pytest-django's transactional_db would flush every
    table instead, which the append-only audit trail refuses, as it should.)"""
    cleanups: list[Callable[[], Any]] = []
    with django_db_blocker.unblock():
        try:
            yield cleanups
        finally:
            for cleanup in reversed(cleanups):
                cleanup()
            for cache in caches.all():
                cache.clear()


@pytest.fixture
def school_a(db: Any) -> School:
    return School.objects.get(code=SCHOOL_A)


@pytest.fixture
def school_b(db: Any) -> School:
    return School.objects.get(code=SCHOOL_B)


class HostClient(APIClient):
    """An API client bound to one host, signed in with a real API token when given a user."""

    def __init__(self, host: str, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(SERVER_NAME=host, **kwargs)
        self.host = host
        self.user = user
        if user is not None:
            self.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")

    def request(self, *args: Any, **kwargs: Any) -> Any:
        response = super().request(*args, **kwargs)
        # No request may leave its school's search_path on the connection.
        assert tenant_db().schema_name == "public", f"{tenant_db().schema_name} leaked"
        return response


@pytest.fixture
def district_host(settings: Any) -> str:
    return str(settings.DISTRICT_DOMAIN)


@pytest.fixture
def client_for(db: Any, district_host: str) -> Callable[..., HostClient]:
    """client_for(school_or_None, role_or_user_or_None) -> a client on that school's host (the
    district centre's for None) signed in as a user with that role there."""

    def make(where: School | None, who: Role | User | None = None) -> HostClient:
        host = district_host if where is None else school_host(where.code)
        if who is None or isinstance(who, User):
            return HostClient(host, who)
        from houqin.roles import DISTRICT_ROLES

        user = user_with_role(who, None if who in DISTRICT_ROLES else where)
        return HostClient(host, user)

    return make


@pytest.fixture
def in_school() -> Callable[[School], Any]:
    """in_school(school) -> a context manager that runs ORM calls in that school's schema."""
    return lambda school: schema_context(school.schema_name)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--browser",
        action="store_true",
        help="run the browser suite (tests/browser/, Chromium) instead of the others",
    )


BROWSER_SUITE = Path(__file__).parent / "browser"


def pytest_configure(config: pytest.Config) -> None:
    """The browser suite needs Chromium, said in one line when there is none; and its journeys
    read the database from the thread where Playwright's synchronous API runs an event loop."""
    if config.getoption("--browser"):
        if chromium_path() is None:
            raise pytest.UsageError(INSTALL_CHROMIUM)
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The browser suite commits its district to the test database, so it runs in a session of
    its own (`make pytest` runs both): `--browser` runs it and nothing else."""
    inside = collection_path == BROWSER_SUITE or BROWSER_SUITE in collection_path.parents
    if config.getoption("--browser"):
        return None if inside or collection_path in BROWSER_SUITE.parents else True
    return True if inside else None
