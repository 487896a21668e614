from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenants.backups import school_backup
from tenants.models import School


class Command(BaseCommand):
    help = "Back up one school: its schema's rows and its rows in district tables."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code")
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, code: str, path: Path, **options: Any) -> None:
        school = School.objects.filter(code=code).first()
        if school is None:
            raise CommandError(f"no school {code}")
        summary = school_backup(school=school, path=path)
        self.stdout.write(f"{summary.code}: {summary.tables} tables, {summary.rows} rows -> {path}")
