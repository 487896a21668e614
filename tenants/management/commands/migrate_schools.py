"""`manage.py migrate_schools`: a release for the whole district."""

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tenants import provisioning, releases


class Command(BaseCommand):
    help = (
        "Migrate the district centre, refresh the school template, then bring every school "
        "behind the code's migrations up to them (the release's SQL computed once and run in "
        "each school, in parallel, one transaction per school)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=releases.WORKERS,
            help="processes migrating schools at once: the database server's cores and one more",
        )
        parser.add_argument("--batch-size", type=int, default=20)
        parser.add_argument(
            "--verify",
            action="store_true",
            help=(
                "first recompute each school's fingerprint from its schema, and name the schools "
                "whose catalog differs from the template's"
            ),
        )
        parser.add_argument("--skip-shared", action="store_true")

    def handle(
        self,
        *args: Any,
        workers: int,
        batch_size: int,
        verify: bool,
        skip_shared: bool,
        **options: Any,
    ) -> None:
        if not skip_shared:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        if verify:
            self.stdout.write(f"{releases.schools_verify()} school records corrected")
            drifted = releases.schools_drifted()
            self.stdout.write(f"{len(drifted)} schools' catalogs differ from the template's")
            for schema_name in drifted:
                self.stderr.write(f"{schema_name}: its catalog differs from the template's")

        def progress(done: int, total: int) -> None:
            filled = done * 30 // total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} schools")
            if done == total:
                sys.stderr.write("\n")

        outcomes = releases.migrate_schools(
            workers=workers, batch_size=batch_size, progress=progress
        )
        # The release rebuilt the template when a school was behind; otherwise it is done here.
        provisioning.current_template()
        failed = [o for o in outcomes if o.status == "failed"]
        by_sql = sum(o.method == "sql" for o in outcomes)
        self.stdout.write(
            f"{len(outcomes) - len(failed)} schools migrated, {len(failed)} failed "
            f"({by_sql} by the release's SQL, {len(outcomes) - by_sql} by Django's migrate)"
            if outcomes
            else "every school is already at the code's migrations"
        )
        for outcome in failed:
            self.stderr.write(f"{outcome.schema_name}: {outcome.error.strip().splitlines()[-1]}")
        if failed:
            raise CommandError(f"{len(failed)} schools failed; run again to retry them")
