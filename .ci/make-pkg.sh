#!/usr/bin/env bash
# Makes the npm package in pkg/ from the release wasm and pkg-template/, and packs it under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=${1:?usage: make-pkg.sh path/to/oxidc.wasm}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

rm -rf pkg && mkdir -p pkg target
wasm-bindgen --target web --out-dir pkg --out-name oxidc --no-typescript "$wasm"
# Size-first optimization with binaryen's wasm-opt from npm (.ci/tools, pinned by its lockfile and
# installed by .ci/setup.sh). Not Debian's wasm-opt: version 108 breaks the reference-types table that
# wasm-bindgen emits. OXIDC_NO_WASM_OPT=1 ships the module unoptimized (for debugging).
wasm_opt=.ci/tools/node_modules/.bin/wasm-opt
if [ "${OXIDC_NO_WASM_OPT:-}" != 1 ]; then
  [ -x "$wasm_opt" ] || { echo "make-pkg: $wasm_opt is missing (run make setup)" >&2; exit 1; }
  "$wasm_opt" -Oz --converge --strip-debug --strip-producers \
    --enable-bulk-memory --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-multivalue -o pkg/oxidc_bg.opt.wasm pkg/oxidc_bg.wasm
  mv pkg/oxidc_bg.opt.wasm pkg/oxidc_bg.wasm
fi
# Short import names in the wasm and its glue (wasm-bindgen's carry 16 hex digits each that do not
# compress: about 3 KB of gzip in all). OXIDC_NO_MINIFY_IMPORTS=1 keeps wasm-bindgen's names.
if [ "${OXIDC_NO_MINIFY_IMPORTS:-}" != 1 ]; then
  node .ci/minify-imports.mjs pkg/oxidc_bg.wasm pkg/oxidc.js >/dev/null
fi
# The engine loop imports one of wasm-bindgen's snippets (`send`), whose directory name carries a
# hash. The page facade is a file of the crate (Rust apps import it through wasm-bindgen too).
snippets=$(cd pkg && ls -d snippets/*/ | head -1)
snippets=${snippets%/}
[ -f "pkg/$snippets/src/browser/http.js" ] || { echo "make-pkg: snippet src/browser/http.js missing" >&2; exit 1; }
sed "s#__SNIPPETS__#${snippets}#g" pkg-template/engine.js > pkg/engine.js
cp pkg-template/index.js pkg-template/worker.js pkg/
cp src/facade/client.js pkg/facade.js
sed "s#__VERSION__#${version}#" pkg-template/package.json > pkg/package.json
cp pkg-template/index.d.ts pkg-template/README.md pkg/
cp LICENSE-MIT LICENSE-APACHE pkg/ 2>/dev/null || true
rm -f pkg/.gitignore
(cd pkg && npm pack --silent --pack-destination ../target >/dev/null)
printf 'make-pkg: pkg/ and target/oxidc-%s.tgz (wasm %s bytes, gzip %s)\n' "$version" \
  "$(wc -c < pkg/oxidc_bg.wasm)" "$(gzip -9c pkg/oxidc_bg.wasm | wc -c)"
