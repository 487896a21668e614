"""manage.py load_foods FILE [--source "..."] [--dry-run]

Loads a food composition table (.csv in UTF-8 or GBK, or .xlsx) into the catalogue: new codes are
created, known codes updated. All rows or none: when any row has a problem, each is listed and
nothing is saved (exit status 1). `manage.py load_foods` with no file reloads the seed table
(shared_apps/standards/data/foods.csv).
"""

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from houqin import context
from houqin.door import SystemActor
from houqin.exceptions import ServiceError
from shared_apps.standards.importing import read_food_rows
from shared_apps.standards.seed import FOODS_FILE
from shared_apps.standards.services import food_import

LOAD_FOODS = SystemActor("standards.load_foods")


class Command(BaseCommand):
    help = (
        "Create or update foods from a food composition table (.csv UTF-8/GBK or .xlsx) whose "
        "first row names the columns (食物编码/code, 食物名称/name, 食物类别/food_group, "
        "可食部/edible_pct, 能量/energy_kcal, 蛋白质/protein_g, ...). All rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", default=FOODS_FILE)
        parser.add_argument(
            "--source", default="", help="cite this table for rows that name no source"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with open(path, "rb") as f:
                # A full table is a few thousand rows, well within the upload limit.
                rows = read_food_rows(f, path.name)
            with context.acting(request_id=f"load-foods-{uuid.uuid4().hex[:12]}"):
                report = food_import(
                    rows=rows,
                    actor=LOAD_FOODS,
                    default_source=options["source"],
                    dry_run=options["dry_run"],
                )
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except ServiceError as exc:
            for row in (exc.fields or {}).get("rows", []):
                self.stdout.write(f"  row {row['row']} {row['code']}: {'; '.join(row['messages'])}")
            raise CommandError(f"{path}: {exc.message}", returncode=1) from exc
        summary = report.as_dict()
        prefix = "Dry run, nothing saved: would have " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged ({len(report.rows)} rows)."
        )
