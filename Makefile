# Knollm: `make build` and `make test` work on a fresh clone; the virtualenv bootstraps itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Raw provider listings: SNAPSHOTS=DIR on the command line, else catalog/snapshots when it exists.
SNAPSHOTS ?= $(wildcard catalog/snapshots)
SNAPSHOT_ARGS := $(if $(strip $(SNAPSHOTS)),--snapshots $(SNAPSHOTS),)
# The real corpus for the corpus test tier and the benchmarks.
CORPUS ?= ../shared/model_catalog

.DEFAULT_GOAL := help
.PHONY: help build test lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo "  variables: SNAPSHOTS=DIR (raw listings for build), CORPUS=DIR (real corpus for tests/bench)"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP) ## compile the catalog into dist/ (bundle, JSON Schema, report); the runtime ships the bundle
	$(BIN)/knollm-build $(SNAPSHOT_ARGS) --out dist
	mkdir -p runtime/knollm/data && cp dist/catalog.json runtime/knollm/data/catalog.json

test: $(STAMP) ## lint, then run the whole test suite (corpus tier reads $(CORPUS))
	$(BIN)/ruff check .
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff only
	$(BIN)/ruff check .

bench: $(STAMP) ## benchmarks, with ratios against peers measured in the same run
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_compile.py
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_runtime.py
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_explorer.py

clean: ## remove build outputs (keeps .venv)
	rm -rf dist site .pytest_cache .ruff_cache
