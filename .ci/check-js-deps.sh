#!/usr/bin/env bash
# The `yew` and `leptos` features must not change what a JavaScript user downloads: the npm package
# is built with `--features js` only, so its dependency graph (and the default one) must not contain
# yew or leptos. As a control, the check must see them when the features are on.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh
tree() { cargo tree --quiet -e normal --target wasm32-unknown-unknown --prefix none --format '{p}' "$@"; }
frameworks='^(yew|leptos)( |$)'
for features in js ''; do
  if tree ${features:+--features "$features"} | grep -E "$frameworks"; then
    echo "check-js-deps: the ${features:-default} build depends on the crates above" >&2
    exit 1
  fi
done
for features in yew leptos; do
  tree --features "$features" | grep -qE "^$features " \
    || { echo "check-js-deps: cannot see $features in the --features $features graph" >&2; exit 1; }
done
echo "check-js-deps: neither the js nor the default build depends on yew or leptos"
