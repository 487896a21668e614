"""The project folder `platform/` never shadows the standard library's `platform` module, in
any process: tests, management commands, the Celery app and worker CLI, the WSGI app."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = sysconfig.get_paths()["stdlib"]
CHECK = "import platform; assert platform.__file__.startswith({!r}); print(platform.system())"


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_in_the_test_process():
    import platform

    assert platform.__file__.startswith(STDLIB)
    assert platform.system() == "Linux"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}"}


@pytest.mark.parametrize(
    "argv",
    [
        ["manage.py", "shell", "-c", CHECK.format(STDLIB)],
        ["-c", "import houqin.celery; " + CHECK.format(STDLIB)],
        ["-c", "import houqin.wsgi; " + CHECK.format(STDLIB)],
        ["-m", "celery", "-A", "houqin", "report"],
    ],
    ids=["management command", "celery app", "wsgi app", "celery cli"],
)
def test_in_other_processes(argv):
    result = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Linux" in result.stdout
