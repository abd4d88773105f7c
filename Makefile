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

.PHONY: system-packages
system-packages:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing Debian packages:$$missing"; apt-get update -qq && $(APT_INSTALL) $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing (run as root or: sudo apt-get install$$missing)"; exit 1; fi; \
	fi

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

.PHONY: run
run: install compilemessages demo ## Set up and serve the demo site on http://127.0.0.1:$(PORT)
	WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py collectstatic --noinput -v0
	@echo "Site: http://127.0.0.1:$(PORT)/  Admin: http://127.0.0.1:$(PORT)/admin/ (admin@example.org / coupdepouce-demo)"
	WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

.PHONY: test
test: install-test compilemessages ## Run the whole test suite, browser tests included
	@mkdir -p var
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

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
	  $(PY) manage.py check --deploy --fail-level WARNING

.PHONY: bench
bench: install-test compilemessages ## Benchmark pages under gunicorn; writes docs/performance.md
	$(PY) scripts/bench.py

.PHONY: clean
clean: ## Remove the virtualenv, the SQLite database, media and collected static files
	rm -rf $(VENV) var media static_collected
