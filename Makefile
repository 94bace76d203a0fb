# One-command setup and run. `make run` starts everything; `make test` checks everything.
# Every target sets up what is missing first (environments, database, trained model).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# pip repeats a warning for every mirror folder a package is missing from; keep the output readable.
PIPQUIET := grep -v -E "is ignored: it is neither a file nor a directory|DEPRECATION: .* legacy 'setup.py install'" || true
.DEFAULT_GOAL := help

VENV      := .venv
BOTVENV   := .venv-bot
PY        := $(VENV)/bin/python
BOTPY     := $(BOTVENV)/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: help setup run test lint pytest bot-test model db sms stack-prod clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@echo "==> Creating the app environment ($(VENV), Python 3.11+) …"
	@test -x $(PY) || "$$(scripts/find-python.sh 3.11+)" -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 | { $(PIPQUIET); }
	@touch $@

$(BOTVENV)/.installed: bot/requirements.lock bot/requirements-test.txt
	@echo "==> Creating the bot environment ($(BOTVENV), Python 3.10, pinned lock file; a few minutes) …"
	@PY310="$$(scripts/find-python.sh 3.10)" && { test -x $(BOTPY) || "$$PY310" -m venv $(BOTVENV); }
	@$(BOTPY) -m pip install --quiet --disable-pip-version-check --no-deps -r bot/requirements.lock 2>&1 | { $(PIPQUIET); }
	@$(BOTPY) -m pip install --quiet --disable-pip-version-check --no-deps -r bot/requirements-test.txt 2>&1 | { $(PIPQUIET); }
	@touch $@

setup: $(VENV)/.installed $(BOTVENV)/.installed db model ## Create environments, database and model

db: $(VENV)/.installed ## Migrate the database and create the demo partnership's staff accounts
	@echo "==> Migrating the database …"
	@$(PY) -m casework.cli.migrate
	@$(PY) -m casework.cli.seed_demo

model: $(BOTVENV)/.installed ## Train the Rasa model if its inputs changed
	@bash bot/train.sh

run: setup ## Start the whole stack on loopback (webhook :8000, Rasa :5005, actions :5055, notifier)
	@$(PY) scripts/devstack.py

sms: $(VENV)/.installed ## Chat as an SMS user from this terminal (through the signed /sms/inbound)
	@$(PY) scripts/sms_console.py

lint: $(VENV)/.installed ## ruff and mypy
	@echo "==> Lint (ruff, mypy) …"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check . || { echo "Run: .venv/bin/ruff format ."; exit 1; }
	@$(VENV)/bin/mypy

pytest: $(VENV)/.installed ## The pytest suite (unit, integration, end-to-end)
	@echo "==> pytest (PostgreSQL tests: $${TEST_DATABASE_URL:-skipped, TEST_DATABASE_URL not set}) …"
	@$(PY) -m pytest -ra

bot-test: $(BOTVENV)/.installed model ## Rasa data validation, conversation tests, NLU evaluation
	@bash bot/test.sh

test: $(VENV)/.installed $(BOTVENV)/.installed ## Everything that checks the product
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory model
	@$(MAKE) --no-print-directory pytest
	@echo "==> Places floor on blind set 3 (>= 95% right ward, 0 outside placed inside) …"
	@$(PY) -m bench.places --phrases bench/places_blind_3.yml
	@$(MAKE) --no-print-directory bot-test

clean: ## Remove environments, database and trained models
	rm -rf $(VENV) $(BOTVENV) var models/*.tar.gz models/.inputs-hash

stack-prod: $(VENV)/.installed $(BOTVENV)/.installed model ## The production stack without Docker (PostgreSQL, Redis, 2 Rasa replicas, gunicorn, 2 notifiers)
	@$(PY) scripts/prodstack.py

bench-load: $(VENV)/.installed $(BOTVENV)/.installed model ## Load: 20 simulated residents over SMS and web chat against the production stack
	@$(PY) bench/load/run.py
