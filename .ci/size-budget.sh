#!/usr/bin/env bash
# Fails when the shipped package grows past its byte budget: the gzip -9 sizes of pkg/oxidc_bg.wasm
# plus every JavaScript file of pkg/, added up. Bytes are deterministic for a given toolchain, so this
# runs in `make test`; the budgets (one per build route) live in .ci/size-budget.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
budget_file=.ci/size-budget.txt
key=shipped_gzip_bytes_$OXIDC_WASM_ROUTE
budget=$(sed -n "s/^$key=\([0-9]*\)\$/\1/p" "$budget_file")
[ -n "$budget" ] || { echo "size-budget: no $key=N line in $budget_file" >&2; exit 1; }
[ -f pkg/oxidc_bg.wasm ] || { echo "size-budget: pkg/oxidc_bg.wasm is missing (run make pkg)" >&2; exit 1; }
gz() { gzip -9c "$1" | wc -c; }
wasm=$(gz pkg/oxidc_bg.wasm)
js=0
while IFS= read -r f; do js=$((js + $(gz "$f"))); done < <(find pkg -name '*.js' | sort)
total=$((wasm + js))
if [ "$total" -gt "$budget" ]; then
  printf 'size-budget: FAILED: shipped %d bytes gzip (wasm %d + JS %d) > budget %d (%s).\n' \
    "$total" "$wasm" "$js" "$budget" "$key in $budget_file" >&2
  echo "size-budget: find what grew with: make bench (or node tests/bench/wasm-profile.mjs on a named build)" >&2
  exit 1
fi
printf 'size-budget: ok: shipped %d bytes gzip (wasm %d + JS %d) <= budget %d (%d bytes to spare)\n' \
  "$total" "$wasm" "$js" "$budget" "$((budget - total))"
