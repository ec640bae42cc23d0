#!/usr/bin/env bash
# Installs what building and testing oxidc needs, only what is missing. Idempotent and quiet
# when there is nothing to do. Run by `make setup` (and by every make target that needs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh

say() { printf 'setup: %s\n' "$*"; }
need_apt=()
apt_install() {
  [ ${#need_apt[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    say "missing Debian packages: ${need_apt[*]} (run: sudo apt-get install -y ${need_apt[*]})"; exit 1
  fi
  say "installing Debian packages: ${need_apt[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
}

# 1. A Rust toolchain that can build wasm32-unknown-unknown.
if [ "$OXIDC_WASM_ROUTE" = "debian" ]; then
  [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] || need_apt+=(rustc-web cargo-web rust-web-src)
  [ -x /usr/bin/clippy-driver ] || need_apt+=(rust-web-clippy)
  [ -x "$OXIDC_WASM_LD" ] || need_apt+=(lld-19)
fi
# 2. Chromium and chromedriver for browser tests.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
# 2b. Firefox ESR, WebKitGTK's WebDriver (with MiniBrowser) and Xvfb for the cross-engine tests.
[ -x /usr/bin/firefox-esr ] || need_apt+=(firefox-esr)
[ -x /usr/bin/WebKitWebDriver ] || need_apt+=(webkit2gtk-driver)
[ -x /usr/bin/xvfb-run ] || need_apt+=(xvfb)
apt_install

# 3. Node.js (for the dev provider, the demo server and end-to-end tests).
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  say "Node.js 20 or newer is required (node --version: $(node --version 2>/dev/null || echo none))"; exit 1
fi

# 4. wasm-bindgen-cli, exactly the version of the wasm-bindgen crate we pin.
want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (a few minutes, once)"
  # No --locked: one of its pinned transitive versions is not on every registry mirror.
  cargo install -q wasm-bindgen-cli --version "$want"
fi

# 5. npm dependencies from the lockfiles.
for dir in www-example tests/e2e tests/engines tests/bench .ci/tools; do
  [ -f "$dir/package-lock.json" ] || continue
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
