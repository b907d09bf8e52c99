# Task runner. `make run` and `make test` set everything up on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements-dev.lock | cut -d' ' -f1)

.PHONY: install run serve worker migrate seed seed-demo token test test-sqlite test-postgres lint typecheck schemas messages bench bench-pipeline clean e2e fuzz

$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The service and, beside it, its worker (webhook delivery, the daily catch-up); Ctrl-C stops both.
run: install migrate seed-demo
	$(BIN)/python -m app worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python -m app serve

worker: install
	$(BIN)/python -m app worker

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

# Collect every t("…")/N_("…") text of app/ into the Chinese catalogue app/locale/zh/LC_MESSAGES/messages.po:
# new texts get an empty msgstr (write the Chinese there), texts gone from the code are dropped.
# The catalogue is read as it is at run time; nothing is compiled.
MESSAGES_POT := $(VENV)/messages.pot
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k t -k N_ --add-location=file --sort-by-file \
		--no-wrap --project=fuer-plans -o $(MESSAGES_POT) app
	$(BIN)/pybabel update -i $(MESSAGES_POT) -d app/locale -D messages -l zh --init-missing --no-wrap \
		--ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date

bench: install
	$(BIN)/python bench/read_api.py
	$(BIN)/python bench/status.py
	$(BIN)/python bench/graphql_dashboard.py

# The verdict pipeline on PostgreSQL against the real service (uvicorn, 2 workers), each row as a ratio to a floor
# measured in the same run; a fresh database on BENCH_DATABASE_URL's server, dropped after. About 3 minutes;
# BENCH_ARGS=--quick for a smaller run, BENCH_ARGS="--json data/bench.json" to keep the numbers.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
bench-pipeline: install
	$(BIN)/python bench/pipeline.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# /docs, /redoc and GraphiQL in headless Chromium (Debian's chromium) with no network but 127.0.0.1;
# screenshots in data/e2e/.
e2e: install
	$(BIN)/python tests/e2e/browser_check.py

# schemathesis over every OpenAPI operation, as admin and as a unit, against a real server on a fresh temporary
# SQLite database (tests/fuzz/run.py); fails when a response breaks the document or is a 5xx. A few minutes.
fuzz: install
	$(BIN)/python tests/fuzz/run.py

clean:
	rm -rf $(VENV) data .pytest_cache
