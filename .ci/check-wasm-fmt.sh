#!/usr/bin/env bash
# Fails when the npm build's wasm carries the standard library's formatting machinery (core::fmt,
# alloc::fmt: format!, write!, to_string on numbers, Display) or its slice sort. The npm build ships
# stable error codes and short details, built with push_str and the helpers of src/core/text.rs;
# neither needs a Formatter, and the sort alone costs about 3 KB of wasm.
#
# Reads the release wasm exactly as `make pkg` builds it (the file under the wasm target directory,
# which keeps its name section), runs it through wasm-bindgen with --keep-debug (names demangled, the
# functions wasm-bindgen's own collection removes gone) and lists its functions with
# tests/bench/wasm-profile.mjs. It looks before wasm-opt, so that a function wasm-opt inlines into its
# callers (whose bytes still ship) is caught too. Usage: .ci/check-wasm-fmt.sh [path/to/oxidc.wasm]
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
wasm=${1:-$OXIDC_WASM_TARGET_DIR/wasm32-unknown-unknown/release/oxidc.wasm}
[ -f "$wasm" ] || { echo "check-wasm-fmt: $wasm is missing (run make pkg)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --out-dir "$out" --out-name oxidc --no-typescript --keep-debug "$wasm"
node tests/bench/wasm-profile.mjs "$out/oxidc_bg.wasm" --json "$out/profile.json" >/dev/null
node - "$out/profile.json" <<'EOF'
const { readFileSync } = require('node:fs');
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// A function is offending when its own path is in core::fmt or alloc::fmt (`core::fmt::write`,
// `<core::fmt::Formatter>::pad`, `alloc::fmt::format`), when it implements a trait of theirs
// (`<u64 as core::fmt::Display>::fmt`, `<String as core::fmt::Write>::write_str`), when it is the
// integer printing of core::fmt::num under its demangled name (`<u64>::_fmt`), or when it is a
// slice sort (`<[&str]>::sort_unstable` and the `core::slice::sort` algorithms it calls). Names that
// only mention fmt in a type argument are not counted: LLVM merges identical functions, and a
// slice iterator over `&str` may then carry the name `<&[&dyn core::fmt::Debug] as ...>`.
const banned = new RegExp([
  String.raw`^<*(?:core|alloc|std)::fmt::`,
  String.raw` as (?:core|alloc|std)::fmt::`,
  String.raw`^<[iu](?:8|16|32|64|128|size)>::_fmt`,
  String.raw`^<*core::slice::sort::`,
  String.raw`^<\[[^\]]*\]>::sort`,
].join('|'));
const named = p.functions.filter((f) => !/^func\[\d+\]$/.test(f.name)).length;
if (named < p.functionCount / 2) {
  console.error(`check-wasm-fmt: only ${named} of ${p.functionCount} functions have names: build with the name section kept`);
  process.exit(1);
}
const hits = p.functions.filter((f) => banned.test(f.name));
if (hits.length) {
  const bytes = hits.reduce((n, f) => n + f.bytes, 0);
  console.error(`check-wasm-fmt: FAILED: ${hits.length} functions (${bytes} bytes of code) of core::fmt, alloc::fmt or the slice sort in the npm build's wasm:`);
  for (const f of hits) console.error(`  ${String(f.bytes).padStart(6)}  ${f.name}`);
  console.error('check-wasm-fmt: build the text with push_str and src/core/text.rs instead of format!, write! or to_string(), and sort with text::sort');
  process.exit(1);
}
console.log(`check-wasm-fmt: ok: none of the ${p.functionCount} functions of the npm build's wasm is core::fmt, alloc::fmt or a slice sort`);
EOF
