#!/usr/bin/env bash
# Builds the Yew and Leptos example apps (cargo examples `yew-app` and `leptos-app`, wasm32, debug
# profile) and lays each out as a static site: target/www-yew/ and target/www-leptos/ with
# index.html, boot.js and the wasm-bindgen output (app.js, app_bg.wasm). Serve one with
#   APP_DIR=target/www-yew OP_ISSUER=http://127.0.0.1:9000 node www-example/serve.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/env.sh
CARGO_TARGET_DIR=$OXIDC_WASM_TARGET_DIR $OXIDC_WASM_CARGO build $OXIDC_WASM_FLAGS \
  --examples --features yew,leptos
for app in yew leptos; do
  out=target/www-$app
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name app \
    "$OXIDC_WASM_TARGET_DIR/wasm32-unknown-unknown/debug/examples/$app-app.wasm"
  cp "www-example/$app/index.html" "www-example/$app/boot.js" "$out/"
  printf 'build-examples: %s (wasm %s bytes)\n' "$out" "$(wc -c < "$out/app_bg.wasm")"
done
