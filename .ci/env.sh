# Sourced by the build scripts: picks how to build for wasm32-unknown-unknown.
#  - "rustup": a rustup toolchain that has the wasm32-unknown-unknown target (what most users have);
#  - "debian": Debian's rustc-web with its std sources, std rebuilt for wasm32 (-Zbuild-std),
#    for machines where `rustup target add wasm32-unknown-unknown` cannot download.
# Override with OXIDC_WASM_ROUTE=rustup|debian.
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${OXIDC_WASM_ROUTE:-}" ]; then
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    OXIDC_WASM_ROUTE=rustup
  else
    OXIDC_WASM_ROUTE=debian
  fi
fi
export OXIDC_WASM_ROUTE
export OXIDC_WASM_LD=/usr/lib/llvm-19/bin/wasm-ld
# The command and flags for a wasm32 cargo invocation: $OXIDC_WASM_CARGO <sub> $OXIDC_WASM_FLAGS ...
# (Debian's route puts /usr/bin first so that `cargo clippy` finds Debian's matching clippy.)
if [ "$OXIDC_WASM_ROUTE" = debian ]; then
  OXIDC_WASM_CARGO="env PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$OXIDC_WASM_LD  /usr/bin/cargo"
  OXIDC_WASM_FLAGS="--target wasm32-unknown-unknown -Zbuild-std=std,panic_abort"
else
  OXIDC_WASM_CARGO="env cargo"
  OXIDC_WASM_FLAGS="--target wasm32-unknown-unknown"
fi
export OXIDC_WASM_CARGO OXIDC_WASM_FLAGS
# RUSTFLAGS of the shipped (release) wasm. On the Debian route std is rebuilt from source, so size
# flags that need it apply: panics abort at once (no message, no location, no formatting), and
# `{:?}` formatting compiles to nothing. About 20% fewer bytes; the stable rustup route cannot use them.
if [ "$OXIDC_WASM_ROUTE" = debian ]; then
  OXIDC_WASM_RELEASE_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
else
  OXIDC_WASM_RELEASE_RUSTFLAGS=""
fi
export OXIDC_WASM_RELEASE_RUSTFLAGS
# wasm builds get their own target directory (the two routes use different compilers).
export OXIDC_WASM_TARGET_DIR=${OXIDC_WASM_TARGET_DIR:-target/wasm}
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
