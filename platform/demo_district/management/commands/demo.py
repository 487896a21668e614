"""`make demo`: migrate, seed, then run web, worker and beat in the foreground until Ctrl-C.

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

from houqin import devstack

# With a configured database: the migrator's address (role houqin_migrator), DATABASE_URL being
# the application's (deploy/postgres/bootstrap.sql makes both).
MIGRATION_URL = "MIGRATION_DATABASE_URL"


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the demo district: web, Celery worker and beat, on embedded servers if needed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        # DATABASE_URL / REDIS_URL now name the servers this process started (or the real ones);
        # the children inherit them and share those servers. The migrator's address is not
        # passed on: web, worker and beat are the application.
        env = {
            **{key: value for key, value in os.environ.items() if key != MIGRATION_URL},
            "PYTHONPATH": os.pathsep.join(
                [str(settings.ROOT_DIR / "platform"), str(settings.ROOT_DIR)]
            ),
        }
        python = sys.executable
        manage = str(settings.ROOT_DIR / "manage.py")
        self._migrate(python, manage, env)
        call_command("seed_demo")
        state = settings.ROOT_DIR / ".demo"
        commands = {
            "web": [python, manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "houqin",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
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
        # Stopped by a signal (a terminal closing, a supervisor), stop the children too: they run
        # in sessions of their own and would otherwise outlive this process.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        children = {
            name: subprocess.Popen(cmd, env=env, cwd=settings.ROOT_DIR, start_new_session=True)
            for name, cmd in commands.items()
        }
        self._print_banner(port)
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"stopped unexpectedly: {', '.join(stopped)}")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping web, worker and beat ...")
        finally:
            for child in children.values():
                if child.poll() is None:
                    os.killpg(child.pid, signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)

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
        logins = json.loads((settings.ROOT_DIR / ".demo" / "logins.json").read_text())
        lines = [
            "",
            "Houqin demo district is running. Ctrl-C stops it.",
            f"  sign in           http://{domain}:{port}/  (school staff land at their school)",
            f"  API               http://{domain}:{port}/api/docs/",
        ]
        codes = sorted({entry["school"] for entry in logins if entry["school"]})
        for code in codes:
            lines.append(f"  school {code}  http://{code}.{domain}:{port}/")
        lines.append(f"  logins (password {logins[0]['password']}): .demo/logins.json, e.g.")
        for entry in logins:
            if entry["school"] in (None, codes[0]):
                lines.append(f"    {entry['role']:<20} {entry['username']}")
        self.stdout.write("\n".join(lines) + "\n")
