# Task runner. `make run` and `make test` set everything up on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements-dev.lock | cut -d' ' -f1)

.PHONY: install run serve migrate seed seed-demo token test test-sqlite test-postgres lint typecheck schemas bench clean e2e

$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install migrate seed-demo serve

serve: install
	$(BIN)/python -m app serve

migrate: install
	$(BIN)/python -m app migrate

seed: install
	$(BIN)/python -m app seed

# The plans plus EXAMPLE member units, task decomposition and cycles (marked is_example), to try the workflow.
seed-demo: install
	$(BIN)/python -m app seed --demo

token: install
	$(BIN)/python -m app tokens create --role admin --name "local admin"

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL names a server
# (a fresh database is created there for the run and dropped afterwards).
test: install
	TEST_DATABASE_URL= $(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; $(BIN)/python -m pytest; fi

lint: install
	$(BIN)/ruff check app tests migrations bench seeds

typecheck: install
	$(BIN)/mypy app

schemas: install
	$(BIN)/python -m app schemas

bench: install
	$(BIN)/python bench/read_api.py
	$(BIN)/python bench/status.py

# /docs, /redoc and GraphiQL in headless Chromium (Debian's chromium) with no network but 127.0.0.1;
# screenshots in data/e2e/.
e2e: install
	$(BIN)/python tests/e2e/browser_check.py

clean:
	rm -rf $(VENV) data .pytest_cache
