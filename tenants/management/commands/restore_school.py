from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from houqin.door import SystemActor
from houqin.exceptions import ServiceError
from tenants.backups import school_restore


class Command(BaseCommand):
    help = "Restore a school backup as a new school (--as CODE) or over the school it came from."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--as", dest="code", default=None, help="code of a new school")

    def handle(self, *args: Any, path: Path, code: str | None, **options: Any) -> None:
        try:
            school = school_restore(
                path=path, code=code, actor=SystemActor("tenants.restore_school")
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"restored into {school.code} ({school.schema_name})")
