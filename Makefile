# Klinikfunk — the only entry points: install, run, test (plus lint, openapi, client, migration).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/backend/.venv
UV := $(PYTHON) -m uv
VENV := backend/.venv
KF := $(VENV)/bin/klinikfunk
PYTEST := $(VENV)/bin/pytest
CHROMIUM ?= /usr/bin/chromium
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

.PHONY: help install run test lint openapi client migration \
        test-backend test-backend-sqlite test-backend-pg test-frontend test-e2e check-contract \
        eval-compliance

help:
	@echo "make run      start Klinikfunk with demo data at http://127.0.0.1:8000"
	@echo "make test     run every test (backend on SQLite and PostgreSQL, frontend, browser)"
	@echo "make install  set everything up (idempotent)"

# --- set-up -------------------------------------------------------------------------------
install: $(VENV)/.installed frontend/node_modules/.installed frontend/dist/index.html \
         tests/e2e/node_modules/.installed tests/atproto/node_modules/.installed $(CHROMIUM)

$(VENV)/.installed: backend/pyproject.toml backend/uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.8"
	cd backend && $(UV) sync --frozen --quiet
	touch $@

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
    frontend/index.html frontend/vite.config.ts frontend/package.json
frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent
	touch $@

tests/e2e/node_modules/.installed: tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The real Bluesky servers (PLC + PDS from the npm registry) for the Bluesky connector tests.
tests/atproto/node_modules/.installed: tests/atproto/package-lock.json tests/atproto/node/package-lock.json tests/atproto/setup.sh
	bash tests/atproto/setup.sh
	touch $@

$(CHROMIUM):
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# --- run ----------------------------------------------------------------------------------
run: install
	KLINIKFUNK_DEMO=$${KLINIKFUNK_DEMO:-1} $(KF) serve

# --- tests --------------------------------------------------------------------------------
test: install
	$(MAKE) --no-print-directory -j3 --output-sync=target test-backend-sqlite test-backend-pg test-frontend
	$(MAKE) --no-print-directory check-contract lint
	$(MAKE) --no-print-directory test-e2e

test-backend: test-backend-sqlite test-backend-pg

test-backend-sqlite: $(VENV)/.installed tests/atproto/node_modules/.installed
	cd backend && KLINIKFUNK_TEST_DATABASE=sqlite ../$(PYTEST) -q -p no:cacheprovider ../tests/backend

# Connector and sandbox tests touch no database; they run once, in the SQLite run.
test-backend-pg: $(VENV)/.installed
	cd backend && KLINIKFUNK_TEST_DATABASE=postgresql KLINIKFUNK_TEST_PG_URL=$(PG_URL) \
	    ../$(PYTEST) -q -p no:cacheprovider ../tests/backend \
	    --ignore=../tests/backend/connectors --ignore=../tests/backend/sandbox_platform

test-frontend: frontend/node_modules/.installed
	cd frontend && npm test --silent

test-e2e: install
	cd tests/e2e && npx playwright test

# The committed contract and generated client must match the code.
check-contract: $(VENV)/.installed frontend/node_modules/.installed
	$(KF) openapi -o /tmp/klinikfunk-openapi.yaml >/dev/null
	@diff -u openapi.yaml /tmp/klinikfunk-openapi.yaml >/dev/null || { echo "openapi.yaml is stale: run make openapi"; exit 1; }
	cd frontend && npx openapi-typescript ../openapi.yaml -o /tmp/klinikfunk-schema.gen.ts >/dev/null 2>&1
	@diff -q frontend/src/lib/api/schema.gen.ts /tmp/klinikfunk-schema.gen.ts >/dev/null || { echo "frontend client is stale: run make client"; exit 1; }
	@echo "contract: openapi.yaml and the typed client are current"

lint: $(VENV)/.installed frontend/node_modules/.installed
	cd backend && .venv/bin/ruff check . ../tests/backend && .venv/bin/ruff format --check . ../tests/backend
	cd backend && .venv/bin/mypy app sandbox
	cd frontend && npm run lint --silent

# The compliance engine against the labelled corpus (exit 1 when a target is missed).
eval-compliance: $(VENV)/.installed
	cd backend && .venv/bin/python -m app eval-compliance

# --- contract and schema ------------------------------------------------------------------
openapi: $(VENV)/.installed
	$(KF) openapi -o openapi.yaml

client: openapi frontend/node_modules/.installed
	cd frontend && npm run gen:api --silent

migration: $(VENV)/.installed
	cd backend && .venv/bin/alembic revision --autogenerate -m "$(m)"
