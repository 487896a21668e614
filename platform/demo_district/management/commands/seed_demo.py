from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from demo_district.seed import seed_demo, write_logins


class Command(BaseCommand):
    help = (
        "Create what is missing of the demo district: three schools, one user per role, and the "
        "nutrition programme's previous month (plans, rosters, servings, budgets, claims)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_demo()
        path = settings.DEMO_STATE_DIR / "logins.json"
        write_logins(logins, path)
        self.stdout.write(f"{len(logins)} demo logins written to {path}")
