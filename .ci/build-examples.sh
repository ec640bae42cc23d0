#!/usr/bin/env bash
# Builds the Yew and Leptos example apps (cargo examples `yew-app` and `leptos-app`, wasm32, debug
# profile) and lays each out as a static site: target/www-yew/ and target/www-leptos/ with
# index.html, boot.js, the wasm-bindgen output (app.js, app_bg.wasm, snippets/ with the page facade)
# and, under oxidc/, the package's worker files from pkg/ (worker.js, engine.js, oxidc.js,
# oxidc_bg.wasm, snippets/): the apps run the engine there (AuthConfig::with_worker_url). Needs
# pkg/ (make pkg). Serve one with
#   APP_DIR=target/www-yew OP_ISSUER=http://127.0.0.1:9000 node www-example/serve.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh
worker_files=(worker.js engine.js oxidc.js oxidc_bg.wasm snippets)
for f in "${worker_files[@]}"; do
  [ -e "pkg/$f" ] || { echo "build-examples: pkg/$f is missing (run make pkg)" >&2; exit 1; }
done
CARGO_TARGET_DIR=$OXIDC_WASM_TARGET_DIR $OXIDC_WASM_CARGO build $OXIDC_WASM_FLAGS \
  --examples --features yew,leptos
for app in yew leptos; do
  out=target/www-$app
  rm -rf "$out" && mkdir -p "$out/oxidc"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name app \
    "$OXIDC_WASM_TARGET_DIR/wasm32-unknown-unknown/debug/examples/$app-app.wasm"
  cp "www-example/$app/index.html" "www-example/$app/boot.js" "$out/"
  for f in "${worker_files[@]}"; do cp -R "pkg/$f" "$out/oxidc/"; done
  printf 'build-examples: %s (wasm %s bytes; engine in %s/oxidc/)\n' "$out" "$(wc -c < "$out/app_bg.wasm")" "$out"
done
