"""manage.py load_standard FILE

Loads a version of a nutrition standard from a JSON file shaped like
shared_apps/standards/data/ws_t_554_2017.json (code, version, Table 1 figures per band, food
groups and limits per meal). A version already loaded is left as it is: a correction is a new
version, and plans published from then on are checked against it.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shared_apps.standards.models import (
    NutritionStandard,
    StandardFoodGroupTarget,
    StandardTarget,
)
from shared_apps.standards.seed import STANDARD_FILE, load_standard


class Command(BaseCommand):
    help = "Load a version of a nutrition standard from a JSON file (see data/ws_t_554_2017.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", default=STANDARD_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with transaction.atomic():
                standard = load_standard(
                    NutritionStandard, StandardTarget, StandardFoodGroupTarget, path=path
                )
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise CommandError(f"{path}: not a standard file ({exc!r}); nothing loaded") from exc
        self.stdout.write(
            f"{standard.code} version {standard.version}: "
            f"{StandardTarget.objects.filter(standard=standard).count()} targets."
        )
