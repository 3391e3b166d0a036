# Liulin: `make run` brings up the demo community; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/liulin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-postgres e2e smoke bench bench-sqlite wrk setup pdf-libs lint check-deploy clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency lists change.
$(VENV)/.deps: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

node_modules/.deps: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.deps node_modules/.deps pdf-libs

# WeasyPrint (certificates as PDF) draws text with pango and needs the CJK fonts (Debian's).
pdf-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -qi "Noto S.* CJK"; } || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk; }

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py demo_logins --address $(HOST):$(PORT)
	@# Static files compressed as in production: collected, gzipped, served by WhiteNoise.
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m whitenoise.compress --quiet staticfiles
	@echo "Task worker, periodic jobs (deadline sweep, intake queue, ...) and web server starting on http://$(HOST):$(PORT)/ (Ctrl-C stops all)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/python manage.py db_worker --interval 5 & \
	  $(BIN)/python manage.py run_periodic >/dev/null & \
	  LIULIN_STATIC_COLLECTED=1 $(BIN)/python manage.py runserver --nostatic $(HOST):$(PORT)

# worksteal: the slow API fuzz of each role lands at the end; an idle worker takes some over.
test: setup wrk
	$(BIN)/python -m pytest -n 2 --dist worksteal $(PYTEST_ARGS)

test-postgres: setup wrk
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/python scripts/ensure_database.py
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/python -m pytest -n 2 --dist worksteal $(PYTEST_ARGS)

# Browser tests drive Debian's chromium through Playwright for Python (never `playwright install`).
e2e: setup
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk
	$(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# A newcomer's first minute: clone the committed tree, `make run`, fetch the pages.
smoke:
	bash scripts/smoke_make_run.sh

# The benchmarks' HTTP load comes from wrk, Debian's package (bench/load.py); its test
# skips where it cannot be installed.
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } || \
	  echo "wrk could not be installed: the load client's test is skipped and make bench stops"

bench: setup wrk
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/liulin_bench} $(BIN)/python -m bench

bench-sqlite: setup wrk
	DATABASE_URL=sqlite:///$(CURDIR)/bench/out/bench.sqlite3 $(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check .

check-deploy: setup
	DJANGO_SETTINGS_MODULE=liulin.settings_production \
	DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=liulin.example.org \
	LIULIN_FERNET_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	LIULIN_HMAC_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(32))') \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-output
