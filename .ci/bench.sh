#!/usr/bin/env bash
# make bench: sizes and speed of the release package next to oidc-client-ts (tests/bench/bench.mjs),
# plus a size profile of the wasm (the biggest functions, by crate) and the size floor of a wasm with
# the protocol core alone (.ci/size-floor.sh) under target/bench/.
# Not part of `make test`: timings vary between runs and machines; only the byte budget is tested.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
mkdir -p target/bench

# npm dependencies (tests/bench included) come from `make setup`, which `make bench` runs first.

# Size profile: the same release wasm through wasm-bindgen and wasm-opt -Oz, with function names kept.
wasm=$OXIDC_WASM_TARGET_DIR/wasm32-unknown-unknown/release/oxidc.wasm
prof=target/bench/profile
rm -rf "$prof" && mkdir -p "$prof"
wasm-bindgen --target web --out-dir "$prof" --out-name oxidc --no-typescript "$wasm"
.ci/tools/node_modules/.bin/wasm-opt -Oz --converge -g --strip-producers \
  --enable-bulk-memory --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
  --enable-reference-types --enable-multivalue -o "$prof/oxidc_bg.named.wasm" "$prof/oxidc_bg.wasm"
node tests/bench/wasm-profile.mjs "$prof/oxidc_bg.named.wasm" 30 --json target/bench/wasm-profile.json \
  > target/bench/wasm-profile.txt
echo "bench: wasm size profile in target/bench/wasm-profile.txt:"
sed -n '1,40p' target/bench/wasm-profile.txt | sed 's/^/  /'

# The size floor: the synchronous protocol core alone, built like the shipped wasm (tests/size-floor).
.ci/size-floor.sh | tail -1 | tee target/bench/size-floor.txt

node tests/bench/bench.mjs
