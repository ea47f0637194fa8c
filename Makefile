# Knollm: `make build` and `make test` work on a fresh clone; the virtualenv bootstraps itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Raw provider listings: SNAPSHOTS=DIR on the command line, else catalog/snapshots when it exists.
SNAPSHOTS ?= $(wildcard catalog/snapshots)
SNAPSHOT_ARGS := $(if $(strip $(SNAPSHOTS)),--snapshots $(SNAPSHOTS),)
# The build's as-of date (YYYY-MM-DD): dated prices are resolved at it. Default: the newest source date.
AS_OF ?=
AS_OF_ARGS := $(if $(strip $(AS_OF)),--as-of $(AS_OF),)
# The real corpus for the corpus test tier and the benchmarks.
CORPUS ?= ../shared/model_catalog
# The documentation site: generated from dist/catalog.json into site/ (see src_docs/mkdocs.yml).
SITE_ENV := KNOLLM_SITE_BUNDLE=$(CURDIR)/dist/catalog.json NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true
SITE_BUILD := $(SITE_ENV) $(BIN)/mkdocs build --strict --quiet -f src_docs/mkdocs.yml
PLAYWRIGHT := playwright==1.65.2

.DEFAULT_GOAL := help
.PHONY: help build site serve screenshots test lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  variables: SNAPSHOTS=DIR (raw listings for build), AS_OF=YYYY-MM-DD (resolve dated prices at that day),"
	@echo "             CORPUS=DIR (real corpus for tests/bench)"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP) ## compile the catalog into dist/ (bundle, JSON Schema, report), ship it in the runtime, build site/
	$(BIN)/knollm-build $(SNAPSHOT_ARGS) $(AS_OF_ARGS) --out dist
	mkdir -p runtime/knollm/data && cp dist/catalog.json runtime/knollm/data/catalog.json
	$(SITE_BUILD)
	@echo "site: $$(find site -name index.html | wc -l) pages in site/"

site: $(STAMP) ## rebuild only the documentation site (site/) from the existing dist/catalog.json
	@test -f dist/catalog.json || { echo "no dist/catalog.json: run make build first"; exit 1; }
	$(SITE_BUILD)
	@echo "site: $$(find site -name index.html | wc -l) pages in site/"

serve: $(STAMP) ## preview the documentation site at http://127.0.0.1:8000/ (rebuilds on changes)
	@test -f dist/catalog.json || { echo "no dist/catalog.json: run make build first"; exit 1; }
	$(SITE_ENV) KNOLLM_SITE_URL=http://127.0.0.1:8000/ $(BIN)/mkdocs serve -f src_docs/mkdocs.yml -a 127.0.0.1:8000

screenshots: $(STAMP) ## photograph the built site (home, a provider, a family; phone views too) into dist/screenshots/
	@test -f site/index.html || { echo "no site/: run make build first"; exit 1; }
	test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet '$(PLAYWRIGHT)'
	$(BIN)/python tools/screenshots.py --site site --out dist/screenshots

test: $(STAMP) ## lint, then run the whole test suite (corpus tier reads $(CORPUS))
	$(BIN)/ruff check .
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff only
	$(BIN)/ruff check .

bench: $(STAMP) ## benchmarks, with ratios against peers measured in the same run
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_compile.py
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_runtime.py
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_explorer.py
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_scale.py

clean: ## remove build outputs (keeps .venv)
	rm -rf dist site .pytest_cache .ruff_cache
