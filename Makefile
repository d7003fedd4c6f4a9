# Saima — two commands: `make run` (platform on demo data) and `make test` (the whole suite).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

-include .env
# Every NAME=value line of .env reaches the commands too (not only the variables named below).
DOTENV_VARS := $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .env 2>/dev/null)
ifneq ($(strip $(DOTENV_VARS)),)
export $(DOTENV_VARS)
endif
export DEBUG ?= true
# The app's database role owns nothing; migrate runs as the schema owner (docs/operations.md, "Database roles").
export DATABASE_URL ?= postgres://saima_app@127.0.0.1:5432/saima
export MIGRATION_DATABASE_URL ?= postgres://saima_owner@127.0.0.1:5432/saima
export REDIS_URL ?= redis://127.0.0.1:6379/0
export DJANGO_SETTINGS_MODULE := saima.settings
# Redis database of the test suite's Celery worker (parallel checkouts can each choose their own).
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install install-dev system-deps services run test lint bench-ingest bench-scoring bench-load

# Debian packages the browser tests need (Chromium from Debian, never a downloaded build).
system-deps:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q . ; } || { \
	  echo "Installing Debian's chromium and a Chinese font for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Saima needs Python 3.11 or newer: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

# Test and lint tools (requirements-dev.txt) on top of the runtime.
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Checks PostgreSQL and Redis (says how to start them) and creates the two roles and the database if missing.
services: install
	$(PY) manage.py check_services --create-database

run: install services
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	bash scripts/run.sh

test: install-dev system-deps
	REDIS_URL=$(TEST_REDIS_URL) $(PY) manage.py check_services --create-roles
	REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

bench-ingest: install services
	$(PY) bench/ingest.py

bench-scoring: install services
	$(PY) bench/scoring.py

# wrk (Debian's package) against gunicorn on loopback: docs in bench/load.py.
bench-load: install services
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/load.py
