#!/usr/bin/env bash
# Fails when what the package ships grows past its byte budget. Measured like the bytes row of
# `make bench` (one recipe, tests/bench/shipped.mjs): the page bundle (entry pkg/index.js) and the
# worker bundle (entry pkg/worker.js), each bundled and minified by esbuild (the one pinned in
# tests/bench, installed by make setup), and pkg/oxidc_bg.wasm; gzip -9 of each, read from standard
# input (no file name in the gzip header, as a server sends it), added up. Bytes are deterministic for
# a given toolchain, so this runs in `make test`; the budgets (one per build route) live in
# .ci/size-budget.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
budget_file=.ci/size-budget.txt
key=shipped_gzip_bytes_$OXIDC_WASM_ROUTE
budget=$(sed -n "s/^$key=\([0-9]*\)\$/\1/p" "$budget_file")
[ -n "$budget" ] || { echo "size-budget: no $key=N line in $budget_file" >&2; exit 1; }
[ -f pkg/oxidc_bg.wasm ] || { echo "size-budget: pkg/oxidc_bg.wasm is missing (run make pkg)" >&2; exit 1; }
[ -d tests/bench/node_modules/esbuild ] || { echo "size-budget: esbuild is missing from tests/bench (run make setup)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node tests/bench/shipped.mjs pkg "$out"
gz() { gzip -9c < "$1" | wc -c; }
page=$(gz "$out/page.js")
worker=$(gz "$out/worker.js")
wasm=$(gz pkg/oxidc_bg.wasm)
total=$((page + worker + wasm))
parts=$(printf 'page JS %d + worker JS %d + wasm %d' "$page" "$worker" "$wasm")
if [ "$total" -gt "$budget" ]; then
  printf 'size-budget: FAILED: shipped %d bytes gzip (%s) > budget %d (%s).\n' \
    "$total" "$parts" "$budget" "$key in $budget_file" >&2
  echo "size-budget: find what grew with: make bench (or node tests/bench/wasm-profile.mjs on a named build)" >&2
  exit 1
fi
printf 'size-budget: ok: shipped %d bytes gzip (%s) <= budget %d (%d bytes to spare)\n' \
  "$total" "$parts" "$budget" "$((budget - total))"
