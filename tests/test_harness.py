"""The harness's own promises, checked on a session of their own."""

import os
import subprocess
import sys
from pathlib import Path

GROUPED = """
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(4))
def test_grouped(n):
    pass
"""
APART = """
import pytest


@pytest.mark.parametrize("n", range(8))
def test_apart(n):
    pass
"""


def test_tests_of_one_xdist_group_run_on_one_worker(tmp_path: Path) -> None:
    """`make pytest` runs `--dist loadgroup`: the demo's seeded district and its served state
    are each set up once for the tests that share them (tests/test_demo_seed.py,
    tests/test_demo_serving.py), which needs their tests on one worker. pytest 9.2 with
    pytest-xdist 3.8 handed them to any worker (requirements/dev.txt)."""
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "test_apart.py").write_text(APART)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(tmp_path / "pytest.ini"),
            "-p",
            "no:cacheprovider",
            "-p",
            "xdist",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-v",
            str(tmp_path),
        ],
        cwd=tmp_path,
        # Only pytest-xdist: not this project's plugins (Django's settings among them).
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    ran_on = {
        line.split()[0]
        for line in result.stdout.splitlines()
        if line.startswith("[gw") and "test_grouped.py" in line
    }
    assert result.stdout.count("PASSED test_grouped.py::test_grouped") == 4, result.stdout[-2000:]
    assert len(ran_on) == 1, result.stdout[-2000:]
