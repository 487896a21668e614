"""`make demo`: migrate, seed, then run web, worker and beat in the foreground until Ctrl-C.

The web is served as production serves it: gunicorn with deploy/gunicorn.conf.py (fewer workers:
`devstack.DEMO_WEB_WORKERS`), DEBUG off unless the environment sets it, the static files from the
app (WhiteNoise). Every process holds at most one database connection, and the embedded database
takes as many as they hold together (`devstack.DEMO_CONNECTIONS`). Ctrl-C, or SIGTERM to the
command (or to its process group), stops web, worker and beat, then the embedded servers.

The demo's database roles are production's: migrations run as the migrator, the trail belongs to
its own role (on the embedded database this command runs deploy/postgres/trail_ownership.sql as
the superuser), and everything else (seeding, web, worker, beat) connects as the application's
role. With a configured database, DATABASE_URL names the application's role and
MIGRATION_DATABASE_URL the migrator."""

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from houqin import devstack

# With a configured database: the migrator's address (role houqin_migrator), DATABASE_URL being
# the application's (deploy/postgres/bootstrap.sql makes both).
MIGRATION_URL = "MIGRATION_DATABASE_URL"


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(_signum: int, _frame: Any) -> None:
    # Once: a second signal (Ctrl-C pressed twice, SIGTERM to the whole group after Ctrl-C) must
    # not cut the stopping of the children short.
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the demo district: web, Celery worker and beat, on embedded servers if needed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        # Stopped by a signal (Ctrl-C, a terminal closing, a supervisor) at any point, even while
        # migrating or seeding, this process ends through its exit hooks, which stop the embedded
        # servers; the children run in sessions of their own and are stopped below.
        for signum in STOP_SIGNALS:
            signal.signal(signum, _interrupt)
        try:
            self._run(port)
        except KeyboardInterrupt:
            self.stdout.write("\nstopped")

    def _run(self, port: int) -> None:
        # DATABASE_URL / REDIS_URL now name the servers this process started (or the real ones);
        # the children inherit them and share those servers. The migrator's address is not
        # passed on: web, worker and beat are the application.
        env = {
            **{key: value for key, value in os.environ.items() if key != MIGRATION_URL},
            "PYTHONPATH": os.pathsep.join(
                [
                    str(settings.ROOT_DIR / "platform"),
                    str(settings.ROOT_DIR),
                    *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)),
                ]
            ),
        }
        python = sys.executable
        manage = str(settings.ROOT_DIR / "manage.py")
        self._migrate(python, manage, env)
        call_command("seed_demo")
        # This process is done with the database: its connection is not one of the children's.
        connections.close_all()
        state = settings.DEMO_STATE_DIR
        web_env = {
            **env,
            "HOUQIN_ROOT": str(settings.ROOT_DIR),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(devstack.DEMO_WEB_WORKERS),
            "DEBUG": env.get("DEBUG", "false"),
            # gunicorn's control socket goes there (deploy/gunicorn.conf.py), not in $HOME where
            # another gunicorn of this machine may have its own.
            "RUNTIME_DIRECTORY": str(state),
        }
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "-c",
                str(settings.ROOT_DIR / "deploy" / "gunicorn.conf.py"),
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "houqin",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={devstack.DEMO_CELERY_CONCURRENCY}",
                "--without-mingle",
                "--without-gossip",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "houqin",
                "beat",
                "--loglevel=INFO",
                f"--schedule={state / 'celerybeat-schedule'}",
            ],
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name, cmd in commands.items():
                children[name] = subprocess.Popen(
                    cmd,
                    env=web_env if name == "web" else env,
                    cwd=settings.ROOT_DIR,
                    start_new_session=True,
                )
            self._supervise(children, port)
        finally:
            self._stop(children)

    def _supervise(self, children: dict[str, "subprocess.Popen[bytes]"], port: int) -> None:
        self._print_banner(port)
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"stopped unexpectedly: {', '.join(stopped)}")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping web, worker and beat ...")

    def _stop(self, children: dict[str, "subprocess.Popen[bytes]"]) -> None:
        """Each child's whole process group (gunicorn's workers, Celery's pool), then, should one
        not stop in time, killed."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()

    def _migrate(self, python: str, manage: str, env: dict[str, str]) -> None:
        """A release: the centre, the school template, every school, as the migrator (in a
        process of its own: this one is the application); then, on the embedded database, the
        trail to its role (on a configured one, that is the operator's: trail_ownership.sql)."""
        migrator = devstack.embedded_url(devstack.MIGRATOR_ROLE) or os.environ.get(MIGRATION_URL)
        if migrator is None:
            call_command("migrate_schools")
        else:
            subprocess.run(
                [python, manage, "migrate_schools"],
                env={**env, "DATABASE_URL": migrator},
                check=True,
            )
        superuser = devstack.embedded_url()
        if superuser is not None:
            devstack.deploy_sql("trail_ownership.sql", superuser)

    def _print_banner(self, port: int) -> None:
        domain = settings.DISTRICT_DOMAIN
        logins = json.loads((settings.DEMO_STATE_DIR / "logins.json").read_text())
        lines = [
            "",
            "Houqin demo district is running. Ctrl-C stops it.",
            f"  sign in           http://{domain}:{port}/  (school staff land at their school)",
            f"  API               http://{domain}:{port}/api/docs/",
        ]
        codes = sorted({entry["school"] for entry in logins if entry["school"]})
        for code in codes:
            lines.append(f"  school {code}  http://{code}.{domain}:{port}/")
        where = settings.DEMO_STATE_DIR / "logins.json"
        lines.append(f"  logins (password {logins[0]['password']}): {where}, e.g.")
        for entry in logins:
            if entry["school"] in (None, codes[0]):
                lines.append(f"    {entry['role']:<20} {entry['username']}")
        self.stdout.write("\n".join(lines) + "\n")
