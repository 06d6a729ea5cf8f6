# My People — developer entry points.
#
#   make run                      set up (first time), migrate, seed the demo, serve on 127.0.0.1:8000
#                                 with a job worker beside the web server
#   make test                     install test extras, find a Chromium, run the whole pytest suite
#   make test PYTEST_ARGS="tests/browser -x"
#   make evidence                 screenshots (+ docs/*.png), ARIA snapshots and the axe audit, after a UI change
#   UPDATE_ARIA_SNAPSHOTS=1 make evidence   the same, rewriting tests/browser/aria/*.yaml from the UI
#
# Installing is skipped while the stamp files are newer than pyproject.toml, so
# repeated runs are fast. Override VENV/PYTHON to use another virtualenv/interpreter.

PYTHON ?= python3.12
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
VENV_STAMP := $(VENV)/.created
INSTALL_STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
LOAD_STAMP := $(VENV)/.installed-load

.DEFAULT_GOAL := help
.PHONY: help run test screenshots aria-snapshots evidence bench loadtest install install-test install-load venv chromium clean-venv

help:
	@echo "make run    - create .venv, install, migrate, seed the demo and serve on http://$(HOST):$(PORT)/"
	@echo "make test   - install test extras, check for Chromium, run pytest (extra args: PYTEST_ARGS=...)"
	@echo "make screenshots - every screen at 375/768/1280 px into test-artifacts/screenshots/, and docs/*.png"
	@echo "make evidence    - screenshots, ARIA snapshots and axe (both themes); UPDATE_ARIA_SNAPSHOTS=1 rewrites the snapshots"
	@echo "make bench  - our pages and bulk actions vs the Django admin, 100k people (BENCH_ARGS=...)"
	@echo "make loadtest - gunicorn over a throwaway PostgreSQL with 100k people, driven for 60 s"

# --- virtualenv -------------------------------------------------------------

$(VENV_STAMP):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: $(PYTHON) not found. Install Python 3.12 (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12." >&2; \
	  exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "error: $(PYTHON) is $$($(PYTHON) --version 2>&1); Django 6.1 needs Python >= 3.12." >&2; \
	  exit 1; }
	@echo ">>> Creating virtualenv $(VENV) with $$($(PYTHON) --version 2>&1)"
	$(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "error: existing $(VENV) uses $$($(PY) --version 2>&1); remove it ('make clean-venv') and retry." >&2; \
	  exit 1; }
	$(PIP) install --quiet --upgrade pip
	@touch $@

venv: $(VENV_STAMP)

$(INSTALL_STAMP): pyproject.toml $(VENV_STAMP)
	@echo ">>> Installing the app into $(VENV)"
	$(PIP) install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml $(VENV_STAMP)
	@echo ">>> Installing the app with test extras into $(VENV)"
	$(PIP) install --quiet -e ".[test]"
	@touch $@ $(INSTALL_STAMP)

$(LOAD_STAMP): pyproject.toml $(VENV_STAMP)
	@echo ">>> Installing the app with the load test's extras (Locust) into $(VENV)"
	$(PIP) install --quiet -e ".[load]"
	@touch $@ $(INSTALL_STAMP)

install: $(INSTALL_STAMP)
install-test: $(TEST_STAMP)
install-load: $(LOAD_STAMP)

clean-venv:
	rm -rf $(VENV)

# --- run --------------------------------------------------------------------

# DEBUG=1 for every step: development settings (and the development SECRET_KEY, which
# production settings refuse).
run: $(INSTALL_STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --url http://$(HOST):$(PORT)/accounts/login/
	DEBUG=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "=================================================================="
	@echo "  My People: http://$(HOST):$(PORT)/accounts/login/"
	@echo "  Log in as  demo / demo-password   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Stop with Ctrl-C."
	@echo "=================================================================="
	@echo
	@# The job worker runs beside the web server; Ctrl-C (or any exit) stops both.
	@DEBUG=1 $(PY) manage.py jobs_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# --- test -------------------------------------------------------------------

# Playwright is given CHROMIUM_PATH, else `chromium` on PATH (tests/browser/conftest.py);
# only when neither exists do we fall back to Playwright's own download.
chromium: $(TEST_STAMP)
	@if [ -n "$$CHROMIUM_PATH" ]; then \
	  if [ -x "$$CHROMIUM_PATH" ]; then echo ">>> Chromium: $$CHROMIUM_PATH (CHROMIUM_PATH)"; \
	  else echo "error: CHROMIUM_PATH=$$CHROMIUM_PATH is not an executable file." >&2; exit 1; fi; \
	elif command -v chromium >/dev/null 2>&1; then \
	  echo ">>> Chromium: $$(command -v chromium)"; \
	elif $(PY) -c 'from playwright.sync_api import sync_playwright as s; p = s().start(); p.chromium.launch(args=["--no-sandbox"]).close(); p.stop()' >/dev/null 2>&1; then \
	  echo ">>> Chromium: Playwright's own"; \
	else \
	  echo ">>> No Chromium found; trying: python -m playwright install chromium"; \
	  $(PY) -m playwright install chromium || { \
	    echo "" >&2; \
	    echo "error: no Chromium for the browser tests, and Playwright could not download one." >&2; \
	    echo "  Install one:  sudo apt-get install -y chromium   (Debian/Ubuntu; puts it on PATH)" >&2; \
	    echo "  or point at one:  make test CHROMIUM_PATH=/path/to/chrome" >&2; \
	    exit 1; }; \
	fi

# TESTING=1: plain static storage (no collectstatic manifest needed) under DEBUG=False.
test: chromium
	TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

# --- evidence (issue 13): what the UI looks like and what a screen reader gets --------------

EVIDENCE_PYTEST := TESTING=1 $(PY) -m pytest -p no:cacheprovider -q

# Every screen at 375, 768 and 1280 px into test-artifacts/screenshots/; the README's three
# small PNGs into docs/ (tests/browser/test_screenshots.py).
screenshots: chromium
	WRITE_DOCS_SCREENSHOTS=1 $(EVIDENCE_PYTEST) tests/browser/test_screenshots.py
	@ls -l docs/*.png

# Rewrite tests/browser/aria/*.yaml from the current UI; review `git diff tests/browser/aria/`.
aria-snapshots: chromium
	UPDATE_ARIA_SNAPSHOTS=1 $(EVIDENCE_PYTEST) tests/browser/test_aria_snapshots.py

# All the evidence in one go: screenshots and docs/*.png, the ARIA snapshots (compared, or
# rewritten with UPDATE_ARIA_SNAPSHOTS=1 in the environment), and axe in both themes at both
# sizes with its summary (test-artifacts/axe-summary.json).
evidence: chromium
	WRITE_DOCS_SCREENSHOTS=1 $(EVIDENCE_PYTEST) -s tests/browser/test_screenshots.py \
	  tests/browser/test_aria_snapshots.py tests/browser/test_accessibility.py

# --- bench and load ----------------------------------------------------------

BENCH_ARGS ?=

# Uses DATABASE_URL (SQLite by default); see bench/README.md for a throwaway PostgreSQL.
# Production settings (DEBUG off) need a SECRET_KEY: a throwaway one unless you set your own.
bench: $(INSTALL_STAMP)
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  $(PY) -m bench $(BENCH_ARGS)

loadtest: $(LOAD_STAMP)
	VENV=$(VENV) bash loadtest/run.sh
