#!/usr/bin/env bash
# Source gates that keep the architecture honest:
#  1. the protocol core is pure: no wasm-bindgen, web-sys, js-sys, gloo or getrandom in src/core;
#  2. tokens never touch persistent storage: no localStorage, IndexedDB, cookies or Cache Storage anywhere,
#     and sessionStorage only where the transaction record is kept (in-page platform, page facade);
#  3. no Debug formatting ({:?}) in the library's code outside tests: the release wasm is built with
#     -Zfmt-debug=none, which makes it write nothing (redacting Debug impls may use f.debug_struct).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
if grep -rnE '\b(wasm_bindgen|web_sys|js_sys|gloo|getrandom)\b' src/core --exclude-dir=tests; then
  echo "check-sources: the core must not use browser crates (lines above)"; fail=1
fi
if grep -rnE 'local_storage *\(|localStorage *\.|indexed_db *\(|indexedDB *\.|set_cookie *\(|document\.cookie|caches *\(|caches\.open' src pkg-template --include='*.rs' --include='*.js'; then
  echo "check-sources: persistent storage APIs are not allowed (lines above)"; fail=1
fi
# The transaction record's two homes: the in-page Rust platform, and the page facade of the worker engine.
if grep -rlE 'session_storage *\(|(globalThis|window|self)\.sessionStorage|sessionStorage *\.' src pkg-template --include='*.rs' --include='*.js' | grep -vE '^(src/browser/storage.rs|src/facade/client.js)$'; then
  echo "check-sources: sessionStorage is allowed only in src/browser/storage.rs and src/facade/client.js (files above)"; fail=1
fi
if grep -rnE '\{[A-Za-z0-9_.]*:[^{}"]*\?\}' src --include='*.rs' --exclude-dir=tests | grep -vE '^[^:]+:[0-9]+: *//'; then
  echo "check-sources: {:?} writes nothing in the release build (-Zfmt-debug=none); use Display (lines above)"; fail=1
fi
[ $fail = 0 ] && echo "check-sources: core is pure; no persistent storage APIs; no Debug formatting"
exit $fail
