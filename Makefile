# PLO Tracker developer commands. `make run` serves the app; `make test` runs every check CI runs.
# Installs are recorded by stamp files, so re-running a target only redoes what changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.requirements-installed
NPM_STAMP := node_modules/.package-lock-installed
GOVUK := node_modules/govuk-frontend/dist/govuk
BUILD := static/build
ASSETS := $(BUILD)/app.css $(BUILD)/govuk-frontend.min.js $(BUILD)/govuk-frontend.min.js.map $(BUILD)/govuk/assets/images
PYTEST_ARGS ?=
LOCK_OUTPUT ?= requirements.txt

.DEFAULT_GOAL := help
.PHONY: help install run test system-deps bench faults load lock clean

help:
	@echo "make run    install everything, migrate, load demo users and serve http://127.0.0.1:8000"
	@echo "make test   install everything, then lint, Django checks and the whole pytest suite"
	@echo "make faults fault scenarios with real processes (Redis, workers, PostgreSQL, media)"
	@echo "make load   load test against gunicorn (LOAD_DATABASE_URL, default the bench database)"
	@echo "make install | bench | lock | clean"

install: $(PY_STAMP) $(NPM_STAMP) $(ASSETS)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BUILD)/app.css: $(NPM_STAMP) $(wildcard frontend/*.scss)
	@mkdir -p $(BUILD)
	npm run --silent build

$(BUILD)/govuk-frontend.min.js $(BUILD)/govuk-frontend.min.js.map: $(BUILD)/%: $(NPM_STAMP)
	@mkdir -p $(BUILD)
	cp $(GOVUK)/$* $@

# Images only: the GDS Transport fonts beside them are for GOV.UK-hosted services.
$(BUILD)/govuk/assets/images: $(NPM_STAMP)
	rm -rf $@ && mkdir -p $(@D)
	cp -R $(GOVUK)/assets/images $@
	touch $@

run: install
	$(PY) scripts/run_dev.py

system-deps:
	bash scripts/install_system_deps.sh

test: install system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/with_services.py bash -ec '\
		$(PY) manage.py db_roles; \
		$(PY) manage.py check; \
		$(PY) manage.py makemigrations --check --dry-run; \
		$(PY) -m pytest $(PYTEST_ARGS)'

bench: install
	@test -f scripts/bench.py || { echo "scripts/bench.py is not written yet." >&2; exit 1; }
	$(PY) scripts/bench.py

# Redis stopped, workers SIGKILLed, PostgreSQL restarted, media unwritable: see scripts/faults.py.
faults: install system-deps
	$(PY) scripts/faults.py

# Locust, headless, against gunicorn with production settings on loopback: see scripts/load.py.
load: install
	$(PY) scripts/load.py

# Re-resolve requirements.in in a throwaway virtualenv and pin every package it pulls in.
lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.in && \
	{ echo "# Fully pinned from requirements.in (pip freeze in a clean venv). Regenerate with: make lock"; \
	  "$$tmp/venv/bin/pip" freeze --disable-pip-version-check; } > $(LOCK_OUTPUT)
	@echo "Wrote $(LOCK_OUTPUT)."

# Everything the targets above generate. The development database in .pgdata/ is kept.
clean:
	rm -rf $(VENV) node_modules $(BUILD) staticfiles artefacts .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path "./.pgdata/*" -prune -exec rm -rf {} +
