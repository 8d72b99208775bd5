# The two commands of the quick start:
#   make run    the portal with a demo organisation, a Celery worker and beat (Ctrl-C stops all)
#   make test   linters and the whole test suite, with its coverage
# With DATABASE_URL and REDIS_URL set, both use PostgreSQL and Redis instead of the
# embedded defaults (SQLite, a filesystem broker).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
QMS_HOST ?= 127.0.0.1
QMS_PORT ?= 8000
export QMS_HOST QMS_PORT

.PHONY: run test install install-dev lint format bench clean-var prod-check

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "  The portal: http://$(QMS_HOST):$(QMS_PORT)/   (e-mails land in var/mail/)"
	@echo "  Ctrl-C stops the web server, the Celery worker and Celery beat."
	@echo ""
	$(VENV)/bin/honcho -f Procfile.dev start

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates $(wildcard */templates) --lint
	$(VENV)/bin/lint-imports --no-cache

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates $(wildcard */templates) --reformat --quiet || true

# The suite runs under coverage.py (apps and templates; configured in pyproject.toml) and
# shows its 15 slowest tests; then the total is printed, and a total under the floor
# (`fail_under`) fails the target like a failing test does.
test: lint
	@mkdir -p var
	$(VENV)/bin/coverage run -m pytest --durations=15
	@out=$$($(VENV)/bin/coverage report --format=total); status=$$?; \
	  floor=$$($(PY) -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["coverage"]["report"]["fail_under"])'); \
	  echo "Coverage: $$(echo "$$out" | head -n 1)% of the apps' lines, branches and templates (floor: $$floor%)"; \
	  echo "$$out" | sed 1d; \
	  exit $$status

# Benchmarks on PostgreSQL and Redis: set DATABASE_URL (a scratch database) and REDIS_URL;
# without them the benches that need PostgreSQL are listed and skipped.
bench: install-dev
	$(PY) bench/run.py

clean-var:
	rm -rf var/broker var/celerybeat-schedule*

# The production stack on this machine (deploy/prod_check.py): nginx with TLS, two gunicorn,
# two Celery workers and two beats, PostgreSQL and Redis; a smoke journey over HTTPS with a
# worker killed and the broker restarted; then everything is stopped. Needs nginx, openssl,
# redis-server and a PostgreSQL server (DATABASE_ADMIN_URL).
prod-check: install-dev
	$(PY) deploy/prod_check.py
