# Houqin: `make demo` runs the demo district, `make test` runs the checks and the test suite.
# Both create .venv and install requirements/dev.txt on first use (only Python 3.11+ is needed).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PYTHONPATH := $(CURDIR)/platform:$(CURDIR)

.PHONY: install demo test check lint typecheck imports migrations-check pytest

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

# The demo's settings bring their own keys; every other settings module (manage.py and Celery
# default to production) refuses to start without its keys (deploy/houqin.env.example).
demo: install
	DJANGO_SETTINGS_MODULE=houqin.settings.dev $(BIN)/python manage.py demo

# The checks run before the suite, not beside it: `manage.py` on the test settings starts the
# embedded servers it finds missing, and a check that started the suite's Redis first stopped it
# when it ended, under the running suite; on two cores the suite leaves no core idle anyway.
test: check pytest

# The suite measures branch coverage ([tool.coverage] in pyproject.toml), prints the total and
# fails under its floor; `$(BIN)/coverage report --skip-covered` lists the files afterwards.
# It runs on TEST_WORKERS processes (pytest-xdist; one a core by default, 0 for this process
# alone), each on a test database of its own (tests/servers.py), copied from the checkout's
# first setup of the same code (a template database, tests/conftest.py); tests marked
# `xdist_group` run on one worker together, all handed out in the order tests/conftest.py sorts
# them. Then the browser suite, in a session of its own (tests/browser/: the demo district in
# Debian's Chromium; it says what to install when it finds no Chromium). Each prints its
# slowest tests, to keep the run's ten minutes in sight.
TEST_WORKERS ?= auto
pytest: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder --cov --cov-report= --durations=15
	HOUQIN_TEST_DB=test_houqin_browser $(BIN)/python -m pytest --browser --cov --cov-append --cov-report= --durations=5

check: lint typecheck imports migrations-check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy platform tenants shared_apps tenant_apps tests

# The import contracts (pyproject.toml, [tool.importlinter]): the core imports no app, an app's
# layers point down, only the URL confs import an app's API or pages, no import cycles.
imports: install
	$(BIN)/lint-imports --no-cache

migrations-check: install
	DJANGO_SETTINGS_MODULE=houqin.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# Benchmarks (not part of `make test`): SCHOOLS=N to change the default 1,000.
SCHOOLS ?= 1000
.PHONY: bench
bench: install
	$(BIN)/python -m tests.bench.run --schools $(SCHOOLS) --record docs/benchmarks.md

# Long schema fuzzing (the bounded run is part of `make test`).
FUZZ_EXAMPLES ?= 200
.PHONY: fuzz
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py -q -s

# The zh-Hans catalogue (locale/): extract every message into django.po, then compile django.mo.
# Translate the new and fuzzy entries of the .po, then run it again; commit both files.
.PHONY: messages
messages: install
	DJANGO_SETTINGS_MODULE=houqin.settings.test $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --add-location file
	DJANGO_SETTINGS_MODULE=houqin.settings.test $(BIN)/python manage.py compilemessages -l zh_Hans
