#!/usr/bin/env bash
# The size floor of the npm build's wasm: a module holding only the synchronous protocol core
# (src/core, reached from JavaScript by tests/size-floor: no driver, no futures, no engine), built,
# linked and optimized exactly as the shipped wasm is (the Makefile's `wasm` target, then
# .ci/make-pkg.sh's wasm-bindgen, wasm-opt and import minification). Prints its raw, gzip -9 and
# brotli bytes, and the gzip of its JavaScript glue minified by esbuild. Any design that keeps the
# core's checks in Rust ships at least this much wasm.
#   .ci/size-floor.sh [--profile]   (--profile: also a size profile of a build with names kept)
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
root=$PWD
# A target directory of its own: built as a dependency, the crate's cdylib would otherwise replace
# the package's oxidc.wasm (built with other features) in the package's directory.
case "$OXIDC_WASM_TARGET_DIR" in
  /*) target_dir=$OXIDC_WASM_TARGET_DIR/size-floor ;;
  *) target_dir=$root/$OXIDC_WASM_TARGET_DIR/size-floor ;;
esac
wasm_opt=.ci/tools/node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || { echo "size-floor: $wasm_opt is missing (run make setup)" >&2; exit 1; }

start=$(date +%s)
# shellcheck disable=SC2086 # OXIDC_WASM_CARGO and OXIDC_WASM_FLAGS are word lists
(cd tests/size-floor && RUSTFLAGS="${RUSTFLAGS:-$OXIDC_WASM_RELEASE_RUSTFLAGS}" CARGO_TARGET_DIR=$target_dir \
  $OXIDC_WASM_CARGO build $OXIDC_WASM_FLAGS --release --lib ${SIZE_FLOOR_CARGO_ARGS:-})
built=$(date +%s)
wasm=$target_dir/wasm32-unknown-unknown/release/oxidc_size_floor.wasm

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Named oxidc like the package: .ci/minify-imports.mjs looks for the glue module ./oxidc_bg.js.
wasm-bindgen --target web --out-dir "$out" --out-name oxidc --no-typescript "$wasm"
opt_flags=(--enable-bulk-memory --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int
  --enable-reference-types --enable-multivalue)
if [ "${1:-}" = --profile ]; then
  # As .ci/bench.sh: the same optimization with function names kept.
  "$wasm_opt" -Oz --converge -g --strip-producers "${opt_flags[@]}" -o "$out/named.wasm" "$out/oxidc_bg.wasm"
  mkdir -p target/size-floor
  cp "$out/named.wasm" target/size-floor/floor.named.wasm
  node tests/bench/wasm-profile.mjs target/size-floor/floor.named.wasm 40 > target/size-floor/profile.txt
  echo "size-floor: profile of target/size-floor/floor.named.wasm in target/size-floor/profile.txt"
fi
"$wasm_opt" -Oz --converge --strip-debug --strip-producers "${opt_flags[@]}" \
  -o "$out/oxidc_bg.opt.wasm" "$out/oxidc_bg.wasm"
mv "$out/oxidc_bg.opt.wasm" "$out/oxidc_bg.wasm"
node .ci/minify-imports.mjs "$out/oxidc_bg.wasm" "$out/oxidc.js" >/dev/null

floor=$out/oxidc_bg.wasm
raw=$(wc -c < "$floor")
gz=$(gzip -9c < "$floor" | wc -c)
if command -v brotli >/dev/null; then
  br=", brotli $(brotli -q 11 -c < "$floor" | wc -c)"
else
  br=", brotli $(node -e 'const z=require("zlib");process.stdout.write(String(z.brotliCompressSync(require("fs").readFileSync(process.argv[1]),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length))' "$floor") (node zlib, q11)"
fi
glue=""
if [ -d tests/bench/node_modules/esbuild ]; then
  # The glue as the package's bundles minify it (tests/bench/shipped.mjs's esbuild options).
  (cd tests/bench && node --input-type=module -e '
    import { bundleFile } from "./shipped.mjs";
    import { writeFileSync } from "node:fs";
    writeFileSync(process.argv[2], await bundleFile(process.argv[1]));' "$out/oxidc.js" "$out/glue.min.js")
  glue=$(printf '; JS glue (esbuild --minify) %d bytes, gzip %d' \
    "$(wc -c < "$out/glue.min.js")" "$(gzip -9c < "$out/glue.min.js" | wc -c)")
fi
printf 'size-floor: core-only wasm %d bytes, gzip %d%s%s (route %s, cargo build %ds)\n' \
  "$raw" "$gz" "$br" "$glue" "$OXIDC_WASM_ROUTE" "$((built - start))"
