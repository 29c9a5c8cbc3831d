# CII Valais platform. `make up` then `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CACHE_DIR ?= $(or $(CII_CACHE_DIR),$(HOME)/.cache/cii-platform)
UV := $(CACHE_DIR)/uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
CII := $(VENV)/bin/cii
CII_DEMO ?= 1
PYTEST_ARGS ?=
export UV_CACHE_DIR ?= $(CACHE_DIR)/uv-cache
export UV_PYTHON_DOWNLOADS := never

.PHONY: help venv infra up down reset logs status document-tools tools test test-unit lint docs bench rebuild-reporting rotate-master-key

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

$(UV):
	@command -v python3 >/dev/null || { echo "python3 (3.11) is missing: apt-get install python3 python3-venv"; exit 1; }
	@echo "installing uv into $(CACHE_DIR)/uv"
	python3 -m venv $(CACHE_DIR)/uv
	$(CACHE_DIR)/uv/bin/pip install --quiet "uv>=0.5"

venv: $(UV) ## create .venv and install the workspace from uv.lock
	$(UV) sync --frozen --python python3.11

infra: venv ## install (cached) and start Kafka, the store and Keycloak
	CII_PYTHON=$(PY) scripts/infra.sh start

up: venv ## start everything in the background, load a demo year when empty (CII_DEMO=1)
	@# Keycloak boots (a minute or more) while the services start and the demo loads; waited for at the end.
	CII_PYTHON=$(PY) CII_KEYCLOAK_WAIT=0 scripts/infra.sh start
	$(CII) keys init
	$(CII) topics ensure
	$(CII) stack up
	@if [ "$(CII_DEMO)" = "1" ]; then $(CII) demo load --if-empty; fi
	CII_PYTHON=$(PY) scripts/infra.sh start-keycloak
	@echo; $(CII) identity users

down: ## stop the services and the infrastructure
	-$(CII) stack down
	scripts/infra.sh stop

reset: down ## stop everything and delete all local data (topics, store, keys)
	scripts/infra.sh reset
	rm -rf .local/logs .local/pids

logs: ## follow the logs of every component
	tail -n 50 -F .local/logs/*.log

status: ## what runs
	scripts/infra.sh status
	-$(CII) stack status

DOCUMENT_PACKAGES = poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

document-tools: ## the document engine's system libraries (Pango, a font) and pdftotext for its tests
	@{ command -v pdftotext >/dev/null && ldconfig -p | grep -q libpangoft2-1.0.so.0 && fc-list | grep -qi dejavu; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -q $(DOCUMENT_PACKAGES) || { apt-get update -q && apt-get install -y -q $(DOCUMENT_PACKAGES); }; \
	  else echo "missing for the PDF documents: pdftotext, Pango or the DejaVu font: apt-get install $(DOCUMENT_PACKAGES)"; exit 1; fi; }

tools: document-tools ## system packages the suite needs (Chromium for the dashboard test), installed when missing
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "chromium is missing: apt-get install chromium"; exit 1; fi; }

test: venv tools ## install what is missing, start what the tests need, run the whole suite
	CII_PYTHON=$(PY) scripts/infra.sh install
	PY=$(PY) scripts/run_tests.sh $(PYTEST_ARGS)

test-unit: venv document-tools ## only the tests without I/O
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

lint: venv ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy libs/cii_platform/src services/*/src

docs: venv ## regenerate the AsyncAPI, JSON Schema and OpenAPI documents from the models
	$(PY) scripts/generate_docs.py

bench: venv ## run the benchmarks (short runs; see bench/README.md for the full volumes)
	CII_PYTHON=$(PY) scripts/infra.sh install
	for script in bench/*.py; do echo "== $$script"; $(PY) $$script; done

rebuild-reporting: venv ## drop the reporting projections and replay the topics from the beginning
	$(CII) stack down reporting
	$(PY) -m reporting rebuild
	$(CII) stack up reporting

rotate-master-key: venv ## re-wrap every data key under a new master key: make rotate-master-key NEW_KEY_FILE=...
	@test -n "$(NEW_KEY_FILE)" || { echo "NEW_KEY_FILE=<file with 32 bytes in hex> is required"; exit 1; }
	$(CII) stack down procuration
	$(PY) -m procuration rotate-master-key --new-key-file $(NEW_KEY_FILE)
	$(CII) stack up procuration
