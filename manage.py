#!/usr/bin/env python
"""Houqin's command-line entry point."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    # The Django project package lives in platform/houqin; platform/ itself is a plain folder
    # (no __init__.py), so putting it on the path never shadows the standard library's `platform`.
    sys.path.insert(0, str(ROOT / "platform"))
    # Production unless told otherwise: it refuses to start without its keys, so nothing runs on
    # development keys by accident (`make demo` names houqin.settings.dev).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings.prod")
    # The demo's and the tests' settings run on embedded servers unless told of real ones: started
    # here, before the settings are read, never by importing them.
    from houqin.devstack import ensure_services_for

    ensure_services_for(os.environ["DJANGO_SETTINGS_MODULE"])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
