# Pathway: `make run` serves the demo; `make test` runs the whole suite.
VENV := .venv
PYTHON ?= python3
FLASK := $(VENV)/bin/flask --app wsgi
PYTEST := $(VENV)/bin/pytest
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
CSS := app/static/dist/pathway.css

.PHONY: run test test-sqlite test-postgres test-redis ci setup sysdeps lint screenshots clean bench bench-national

setup: sysdeps $(STAMP_PY) $(CSS)

sysdeps:
	@scripts/sysdeps.sh

$(STAMP_PY): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): $(STAMP_NODE) assets/build.mjs $(wildcard assets/scss/*.scss)
	node assets/build.mjs

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Pathway is at http://127.0.0.1:$${PORT:-5000} with its background worker (Ctrl+C to stop)"
	scripts/run-dev.sh

test: lint test-sqlite

# The suite alone, on SQLite (.ci/run runs it beside the PostgreSQL run, after lint).
test-sqlite: setup
	$(PYTEST)

test-postgres: setup
	scripts/with-postgres.sh $(PYTEST)

# The shared rate limits and the Redis job queue, against a throw-away redis-server.
test-redis: setup
	scripts/with-redis.sh $(PYTEST) -m redis

ci:
	.ci/run

# Benchmarks at scale (50 providers, ~1M hour entries): SQLite, then a throw-away PostgreSQL.
# gunicorn runs its production workers, sharing sign-in limits in a throw-away Redis.
WRK := command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk)
bench: setup
	@$(WRK)
	scripts/with-redis.sh $(VENV)/bin/python bench/run.py sqlite
	scripts/with-redis.sh scripts/with-postgres.sh $(VENV)/bin/python bench/run.py postgres
	$(VENV)/bin/python bench/run.py report

# The national rehearsal: 500 providers (~50,000 people, ~10M hour entries) on PostgreSQL.
bench-national: setup
	@$(WRK)
	BENCH_SCALE=500 scripts/with-redis.sh scripts/with-postgres.sh $(VENV)/bin/python bench/run.py postgres
	$(VENV)/bin/python bench/run.py report

lint: setup
	$(VENV)/bin/ruff check app tests lint config.py wsgi.py
	$(VENV)/bin/lint-imports

screenshots: setup
	scripts/screenshots.sh

clean:
	rm -rf $(VENV) node_modules app/static/dist instance/*.db*
