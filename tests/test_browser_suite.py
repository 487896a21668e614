"""The browser suite on a machine without Chromium: one plain line saying what to install, and a
failing exit, never a silent skip."""

import os
import subprocess
import sys
from pathlib import Path

from tests.browser.chromium import INSTALL_CHROMIUM

ROOT = Path(__file__).resolve().parent.parent


def test_without_chromium_the_browser_suite_says_what_to_install(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--browser", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env={**os.environ, "CHROMIUM": str(tmp_path / "no-chromium-here")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    assert INSTALL_CHROMIUM in result.stderr
    assert "passed" not in result.stdout and "skipped" not in result.stdout
