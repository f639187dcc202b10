# Jingdezhen Live Base. `make run` for a first look, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Production-like services for test, worker and serve (override in the environment).
PG_URL ?= postgres://postgres@127.0.0.1:5432/jingdezhen
REDIS ?= redis://127.0.0.1:6379/0

.PHONY: install run test test-fast lint format worker messages services browser axe serve load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## run: the whole product at http://127.0.0.1:8000 -- embedded PostgreSQL and Valkey (data in
## .run/), migrate, the demo, the web server, a Celery worker and beat; Ctrl-C stops all of it.
## DATABASE_URL / REDIS_URL point it at real services instead.
run: install
	$(BIN)/python scripts/embedded.py run

# pytest-xdist: two workers (this machine has two cores); tests marked xdist_group in
# tests/conftest.py (the served stack, the faults, a seeded world) stay on one worker.
TEST_WORKERS ?= 2
# The 30 slowest tests are listed at the end: where the suite's time goes.
XDIST := -n $(TEST_WORKERS) --dist loadgroup --durations=30
# What `make test-fast` leaves out (the marks are given by folder in tests/conftest.py).
SLOW_MARKS := e2e or fuzz or faults or serve or firstlook or tenancy

## test: the whole suite on real PostgreSQL and Redis: DATABASE_URL / REDIS_URL when set, the
## machine's on 5432 / 6379 when they answer, embedded ones otherwise (JDZ_SERVICES=embedded forces)
test: install browser axe
	$(BIN)/python scripts/embedded.py test -- $(XDIST)

## test-fast: the domain tests only -- no browser, fuzzing, faults, served stack, first look or
## tenancy matrix (`make test` runs those too)
test-fast: install
	$(BIN)/python scripts/embedded.py test -- $(XDIST) -m "not ($(SLOW_MARKS))"

services:
	@bash scripts/ensure-services.sh

## browser: Debian's Chromium (and a CJK font) for the Playwright journeys, when missing
browser:
	@bash scripts/ensure-browser.sh

## axe: axe-core from the npm registry (package.json, package-lock.json), the accessibility engine
## the browser tests run on every page
axe: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## serve: the production shape on http://127.0.0.1:8000 -- gunicorn, Celery worker and beat, DEBUG off
serve: install services
	bash scripts/serve.sh

## load: requests/s and p95 of pages and API against scripts/serve.sh; bench/results/load.json
load: install services
	$(BIN)/python bench/load.py

## lint: ruff, and the import contracts of .importlinter (the floors of the code: core at the
## bottom imports no app, merchants under the other apps, pages on top)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## worker: a Celery worker with beat against Redis and PostgreSQL
worker: install services
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} REDIS_URL=$${REDIS_URL:-$(REDIS)} \
	  $(BIN)/celery -A jingdezhen worker -Q celery,holds,imports --beat --loglevel=INFO --concurrency=2

## messages: update each app's Chinese catalogue (<app>/locale/zh_Hans/) from the sources; compile
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=bench --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .run media media-private staticfiles .test-media .test-media-private
