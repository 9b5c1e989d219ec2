# ptce — the commands a newcomer and CI run. Everything installs from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: help install demo serve test test-e2e check bench lock messages clean

help:
	@echo "make demo      install, migrate, load the reference and the demo data, serve on $(HOST):$(PORT)"
	@echo "make test      install and run the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)"
	@echo "make test-e2e  end-to-end tests in Debian's chromium (installed if missing)"
	@echo "make check     ruff format check, ruff lint, mypy on pure modules, migrations check, deploy check"
	@echo "make bench     performance figures with their baselines"
	@echo "make lock      recompute requirements.lock from pyproject.toml"
	@echo "make messages  update and compile the French translations"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Front-end libraries from the npm registry (versions pinned in package-lock.json), served
# by Django's staticfiles from node_modules/ (see STATICFILES_DIRS).
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

demo: install
	$(BIN)/ptce migrate --noinput
	$(BIN)/ptce load-territories
	$(BIN)/ptce load-demo
	$(BIN)/ptce collectstatic --noinput -v 0
	@echo ""
	@echo "ptce is served on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(BIN)/ptce runserver $(HOST):$(PORT)

serve: install
	$(BIN)/ptce runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest -q -n 2 --ignore=tests/e2e

test-e2e: install
	@test -x $(CHROMIUM) || (apt-get update -qq && apt-get install -y -qq chromium)
	PTCE_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q -p no:randomly tests/e2e

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy --strict $$(cat mypy-modules.txt)
	$(BIN)/ptce makemigrations --check --dry-run
	PTCE_ENV=production PTCE_SECRET_KEY=check-only-not-a-real-secret-key-0123456789abcdefghij PTCE_ALLOWED_HOSTS=ptce.example.org $(BIN)/ptce check --deploy --fail-level WARNING

bench: install
	$(BIN)/python -m bench

lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --python-platform linux --no-header -o requirements.lock

messages: install
	cd ptce && ../$(BIN)/ptce makemessages -l fr -l en --ignore=static --ignore=locale --no-obsolete
	$(BIN)/ptce compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
