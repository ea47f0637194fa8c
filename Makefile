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
# PREVIOUS=PATH: a previous bundle; the build writes dist/changes.json, and with RECORD_HISTORY=1 adds the changes
# to catalog/history/changes.jsonl (the history is copied beside the bundle as history.jsonl).
PREVIOUS ?=
RECORD_HISTORY ?=
HISTORY_ARGS := $(if $(strip $(PREVIOUS)),--previous $(PREVIOUS) $(if $(strip $(RECORD_HISTORY)),--record-history),)
# The real corpus for the corpus test tier and the benchmarks.
CORPUS ?= ../shared/model_catalog
# The documentation site: generated from dist/catalog.json into site/ (see src_docs/mkdocs.yml).
SITE_ENV := KNOLLM_SITE_BUNDLE=$(CURDIR)/dist/catalog.json NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true
SITE_BUILD := $(SITE_ENV) $(BIN)/mkdocs build --strict --quiet -f src_docs/mkdocs.yml
# The lock: every package make build / make test need, pinned exactly with hashes (`make lock` writes it).
LOCK := requirements/dev.txt
LOCK_INDEX ?= https://pypi.org/simple
LOCK_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help build site serve screenshots test lint typecheck bench clean lock audit package

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  variables: SNAPSHOTS=DIR (raw listings for build), AS_OF=YYYY-MM-DD (resolve dated prices at that day),"
	@echo "             CORPUS=DIR (real corpus for tests/bench), LOCK_ARGS=--upgrade (make lock: newest versions)"
	@echo "             PREVIOUS=OLD.json RECORD_HISTORY=1 (make build: dist/changes.json, record catalog/history/)"
	@echo "             FETCH_OUT=DIR FETCH_ARGS='--provider X --config knollm.toml' (make fetch: where and what)"

# Exactly what CI tested: every package, pip itself included, at the version and hash in $(LOCK); nothing
# is resolved here. The project goes on top, editable, built by the locked hatchling (no build isolation, so no
# unhashed download of the backend).
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

build: $(STAMP) ## compile the catalog into dist/ (bundle, JSON Schema, report), ship it in the runtime, build site/
	$(BIN)/knollm-build $(SNAPSHOT_ARGS) $(AS_OF_ARGS) $(HISTORY_ARGS) --out dist
	mkdir -p runtime/knollm/data && cp dist/catalog.json runtime/knollm/data/catalog.json
	if [ -f dist/history.jsonl ]; then cp dist/history.jsonl runtime/knollm/data/; else rm -f runtime/knollm/data/history.jsonl; fi
	if [ -f dist/catalog.json.idx ]; then cp dist/catalog.json.idx runtime/knollm/data/; else rm -f runtime/knollm/data/catalog.json.idx; fi
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
	$(BIN)/python tools/screenshots.py --site site --out dist/screenshots

test: $(STAMP) ## lint, type-check, then the whole suite under coverage (corpus tier reads $(CORPUS))
	$(BIN)/ruff check .
	$(BIN)/mypy
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/coverage run -m pytest -q
	$(BIN)/coverage report

# The wheel and the sdist carry runtime/knollm/data/catalog.json (pyproject's `artifacts`), which only make build
# writes; built without isolation, so the backend is the locked hatchling. The release workflow publishes these.
package: $(STAMP) ## build the wheel and the sdist, with the compiled bundle, into dist/packages/ (after make build)
	@test -f runtime/knollm/data/catalog.json || { echo "no runtime/knollm/data/catalog.json: run make build first"; exit 1; }
	rm -rf dist/packages
	$(BIN)/python -m build --no-isolation --outdir dist/packages .
	$(BIN)/python -m zipfile -l dist/packages/*.whl | grep -q 'knollm/data/catalog.json' || { echo "the wheel lacks the bundle"; exit 1; }
	tar -tzf dist/packages/*.tar.gz | grep -q 'runtime/knollm/data/catalog.json' || { echo "the sdist lacks the bundle"; exit 1; }

# `make fetch`: the providers' live model listings into FETCH_OUT (keys from the env vars the provider files or
# FETCH_ARGS' --config name); `make build SNAPSHOTS=$(FETCH_OUT)` compiles them. A failed provider keeps its old file.
FETCH_OUT ?= dist/snapshots
FETCH_ARGS ?=
.PHONY: fetch
fetch: $(STAMP) ## fetch every provider's model listing into FETCH_OUT (default dist/snapshots), with a status file
	$(BIN)/knollm-build fetch --out $(FETCH_OUT) $(FETCH_ARGS)

# `make refresh`: what .github/workflows/refresh.yml runs, step by step (fetch, previous-bundle, build with history).
# PUBLISHED_BUNDLE_URL: the bundle the site publishes now (the "previous" one); empty: no changes are recorded.
REFRESH_DIR ?= dist/refresh
PUBLISHED_BUNDLE_URL ?=
REFRESH_PREVIOUS := $(REFRESH_DIR)/previous.json
.PHONY: refresh previous-bundle refresh-build
previous-bundle: ## download PUBLISHED_BUNDLE_URL into dist/refresh/previous.json (none when it cannot be had)
	mkdir -p $(REFRESH_DIR) && rm -f $(REFRESH_PREVIOUS)
	if [ -n "$(PUBLISHED_BUNDLE_URL)" ]; then curl -fsSL --max-time 300 --max-filesize 268435456 \
		-o $(REFRESH_PREVIOUS) "$(PUBLISHED_BUNDLE_URL)" || rm -f $(REFRESH_PREVIOUS); fi

refresh-build: $(STAMP) ## make build from dist/refresh/snapshots, recording the changes since the previous bundle
	$(MAKE) --no-print-directory build SNAPSHOTS=$(REFRESH_DIR)/snapshots \
		$$(test -f $(REFRESH_PREVIOUS) && echo PREVIOUS=$(REFRESH_PREVIOUS) RECORD_HISTORY=1)

refresh: $(STAMP) ## fetch listings into dist/refresh/snapshots, build against the published bundle, record history
	$(MAKE) --no-print-directory fetch FETCH_OUT=$(REFRESH_DIR)/snapshots \
		|| echo "refresh: some listings failed; see $(REFRESH_DIR)/snapshots/failed_models.json"
	$(MAKE) --no-print-directory previous-bundle
	$(MAKE) --no-print-directory refresh-build

lint: $(STAMP) ## ruff only
	$(BIN)/ruff check .

typecheck: $(STAMP) ## mypy --strict over runtime/ and generator/ (configured in pyproject's [tool.mypy])
	$(BIN)/mypy

bench: $(STAMP) ## benchmarks, with ratios against peers measured in the same run
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_compile.py
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_runtime.py --record bench/results.json
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_explorer.py --record bench/results.json
	KNOLLM_CORPUS=$(CORPUS) $(BIN)/python bench/bench_scale.py --record bench/results.json
	$(BIN)/python bench/bench_client.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_cache.py
	$(BIN)/python bench/bench_analytics.py
	$(BIN)/python bench/bench_router.py
	$(BIN)/python bench/bench_history.py

clean: ## remove build outputs (keeps .venv)
	rm -rf dist site .pytest_cache .ruff_cache .mypy_cache .coverage

# pip-compile reads only the index below: a machine's pip.conf and PIP_* mirrors, wheel folders and constraints
# must not leak into the lock, and the hashes are those of the files on that index. Existing pins are kept unless
# LOCK_ARGS=--upgrade (or --upgrade-package NAME) asks otherwise.
LOCK_ENV := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null
lock: $(STAMP) ## regenerate requirements/dev.txt (exact pins with hashes) from pyproject.toml; needs the index
	$(LOCK_ENV) CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --extra dev --index-url $(LOCK_INDEX) --no-emit-index-url --no-emit-find-links \
	  --output-file $(LOCK) $(LOCK_ARGS) pyproject.toml
	$(BIN)/python tools/lockfile.py strip-self $(LOCK)

audit: $(STAMP) ## check every locked package against known vulnerabilities (pip-audit; needs the network)
	$(BIN)/pip-audit --require-hashes --disable-pip --progress-spinner off --strict -r $(LOCK)
