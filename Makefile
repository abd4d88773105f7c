# Coup de pouce — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[1m%-16s\033[0m %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-test.txt
	@touch $@ $(VENV)/.installed

.PHONY: install
install: $(VENV)/.installed ## Create .venv and install the runtime dependencies

.PHONY: install-test
install-test: $(VENV)/.installed-test system-packages ## Install test dependencies and Debian's chromium (never `playwright install`)

# Debian packages: gettext (catalogs) and Pango (WeasyPrint's PDF receipts) to run the site;
# chromium too for the tests. Installed when running as root, otherwise listed.
DEBIAN_RUNTIME_CHECK = command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core";
DEBIAN_INSTALL_MISSING = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing Debian packages:$$missing"; apt-get update -qq && $(APT_INSTALL) $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing (run as root or: sudo apt-get install$$missing)"; exit 1; fi; \
	fi

.PHONY: runtime-packages
runtime-packages:
	@missing=""; $(DEBIAN_RUNTIME_CHECK) $(DEBIAN_INSTALL_MISSING)

.PHONY: system-packages
system-packages:
	@missing=""; $(DEBIAN_RUNTIME_CHECK) \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	$(DEBIAN_INSTALL_MISSING)

.PHONY: messages
messages: install ## Extract interface strings into locale/*/LC_MESSAGES/django.po
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=tests --no-obsolete

.PHONY: compilemessages
compilemessages: install ## Compile the French and English catalogs
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && $(APT_INSTALL) gettext >/dev/null; }
	$(PY) manage.py compilemessages --ignore=.venv -v0

.PHONY: migrate
migrate: install ## Apply database migrations (SQLite in var/ unless DATABASE_URL is set)
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0

.PHONY: demo
demo: migrate ## Load the demo content (idempotent) and the demo admin
	WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py load_demo_data

# `make run` loads the demo content, unless the database holds other accounts (yours, after
# signing up on the local site): load_demo_data then refuses (exit status 3) and the site is
# served as it is. The task worker (emails) runs beside runserver and stops with it.
.PHONY: run
run: install runtime-packages compilemessages migrate ## Set up and serve the demo site on http://127.0.0.1:$(PORT), with its task worker
	@WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py load_demo_data; status=$$?; \
	  if [ $$status = 3 ]; then echo "make run: demo content not loaded; serving the database as it is."; \
	  elif [ $$status != 0 ]; then exit $$status; fi
	WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py collectstatic --noinput -v0
	@echo "Site: http://127.0.0.1:$(PORT)/  Admin: http://127.0.0.1:$(PORT)/admin/ (admin@example.org / coupdepouce-demo)"
	@echo "Task worker: manage.py db_worker (emails are written to var/mail/)"
	@export WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT); \
	  $(PY) manage.py db_worker --no-reload --interval 1 -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The row-lock tests (`-m postgres`) need PostgreSQL. PG_PROBE fails when nothing answers on
# 127.0.0.1:5432, and creates the named database if missing (the tests make their own test_ one).
PG_LOCAL_URL := postgres://postgres@127.0.0.1:5432/coupdepouce_ci
PG_PROBE := import psycopg; c = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3); c.execute("SELECT 1 FROM pg_database WHERE datname = %s", ["coupdepouce_ci"]).fetchone() or c.execute("CREATE DATABASE coupdepouce_ci")

# pytest-xdist workers for `make test` (one per core by default; TEST_WORKERS=0 runs in one process).
TEST_WORKERS ?= auto

.PHONY: test
test: install-test compilemessages ## Run the whole test suite, browser tests included; the PostgreSQL tests too when it answers locally
	@mkdir -p var
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n $(TEST_WORKERS)
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then exit 0; fi; \
	if $(PY) -c '$(PG_PROBE)' 2>/dev/null; then \
	  echo "PostgreSQL answers on 127.0.0.1:5432: the row-lock tests (-m postgres) run on it too"; \
	  DATABASE_URL=$(PG_LOCAL_URL) $(PY) -m pytest -m postgres; \
	else echo "PostgreSQL does not answer on 127.0.0.1:5432: the row-lock tests (-m postgres) did not run"; fi

# A copy of the tree under var/ (ignored by git), so edits made meanwhile do not disturb the run;
# mutmut's mutants/ folder stays there between runs (only changed functions are tested again).
MUTATION_DIR := var/mutation

.PHONY: mutation
mutation: install-test compilemessages ## Mutation testing of the money code with mutmut (hours on two cores; docs/testing.md)
	$(PY) -m pip install --quiet -r requirements-mutation.txt
	@mkdir -p $(MUTATION_DIR)
	tar --exclude=./.venv --exclude=./var --exclude=./.git --exclude=./node_modules -cf - . | tar -xf - -C $(MUTATION_DIR)
	rm -f $(MUTATION_DIR)/template.sqlite3
	cd $(MUTATION_DIR) && DJANGO_SETTINGS_MODULE=coupdepouce.settings.test \
	  DATABASE_URL=sqlite:///$(CURDIR)/$(MUTATION_DIR)/template.sqlite3 $(CURDIR)/$(PY) manage.py migrate --noinput -v0
	cd $(MUTATION_DIR) && MUTATION_DB_TEMPLATE=$(CURDIR)/$(MUTATION_DIR)/template.sqlite3 \
	  $(CURDIR)/$(VENV)/bin/mutmut run --max-children 2
	cd $(MUTATION_DIR) && $(CURDIR)/$(VENV)/bin/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json && echo && \
	  $(CURDIR)/$(VENV)/bin/mutmut results

.PHONY: lint
lint: install-test ## Lint with ruff and check the import layers with import-linter
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

.PHONY: format
format: install-test ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: check-deploy
check-deploy: install ## Django's deployment checklist with the production settings
	DJANGO_SETTINGS_MODULE=coupdepouce.settings.production DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(openssl rand -base64 48)} \
	  STRIPE_SECRET_KEY=$${STRIPE_SECRET_KEY:-sk_test_check_deploy} STRIPE_WEBHOOK_SECRET=$${STRIPE_WEBHOOK_SECRET:-whsec_check_deploy} \
	  $(PY) manage.py check --deploy --fail-level WARNING

# `make bench` runs on PostgreSQL and Redis when they answer locally, as production does (Redis
# database BENCH_REDIS is flushed); BENCH_ARGS adds options: --quick, --no-baseline, sizes
# (`.venv/bin/python scripts/bench.py --help`). About 10 minutes on two cores; --quick 3–5.
BENCH_REDIS ?= redis://127.0.0.1:6379/7
BENCH_ARGS ?=

.PHONY: bench
bench: install-test compilemessages ## Benchmark pages, pledges and page weight under gunicorn (baseline 204d0a7 beside); writes docs/performance.md
	@args=""; \
	if $(PY) -c 'import psycopg; psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3)' 2>/dev/null; \
	then args="--pg"; else echo "PostgreSQL does not answer on 127.0.0.1:5432: the bench runs on SQLite"; fi; \
	if $(PY) -c 'import redis; redis.Redis.from_url("$(BENCH_REDIS)", socket_connect_timeout=3).ping()' 2>/dev/null; \
	then args="$$args --redis $(BENCH_REDIS)"; else echo "Redis does not answer at $(BENCH_REDIS): the cache is a folder"; fi; \
	echo "$(PY) scripts/bench.py $$args $(BENCH_ARGS)"; $(PY) scripts/bench.py $$args $(BENCH_ARGS)

.PHONY: clean
clean: ## Remove the virtualenv, the SQLite database, media and collected static files
	rm -rf $(VENV) var media static_collected

.PHONY: prod-local
prod-local: install-test compilemessages ## Production stack on this machine: PostgreSQL, Redis, local S3, two gunicorn instances, a worker
	$(PY) scripts/prod_local.py
