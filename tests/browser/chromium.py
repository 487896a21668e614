"""Where Debian's Chromium is, for the browser suite; read before Django or Playwright start."""

import os
import shutil
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_CHROMIUM = (
    "The browser tests need Debian's Chromium and found none: install it with "
    "`sudo apt-get install chromium` (or set CHROMIUM to a Chromium binary)."
)


def chromium_path() -> str | None:
    named = os.environ.get("CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
