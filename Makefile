# oxidc — build, test and run the demo. Every target installs what it needs first (make setup).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ENV := source .ci/env.sh &&
WASM = $(ENV) CARGO_TARGET_DIR=$$OXIDC_WASM_TARGET_DIR $$OXIDC_WASM_CARGO

.PHONY: all setup test test-native test-wasm test-e2e test-engines lint check-core check-js-deps wasm pkg size-budget check-wasm-fmt examples demo bench fuzz clean

all: pkg

## setup: install the toolchain pieces that are missing (idempotent)
setup:
	@.ci/setup.sh

## test: every test (native, wasm in Chromium, lints, source gates, package, end to end)
test: setup lint check-core check-js-deps test-native test-wasm pkg size-budget check-wasm-fmt test-e2e test-engines
	@echo "make test: all green"

lint: setup
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	$(WASM) clippy $$OXIDC_WASM_FLAGS --all-targets --features js -- -D warnings
	$(WASM) clippy $$OXIDC_WASM_FLAGS --all-targets --features yew,leptos -- -D warnings

check-core:
	@.ci/check-sources.sh

## check-js-deps: the yew and leptos features stay out of the js (npm) and default builds
check-js-deps:
	@.ci/check-js-deps.sh

test-native:
	cargo test --all-targets
	# The core as the npm build compiles it (feature js: its own base64url codec, among others).
	cargo test --lib --tests --features js

## fuzz: the parser property tests (tests/core_props.rs) and the session machine's with many cases: FUZZ_CASES per property
FUZZ_CASES ?= 200000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) PROPTEST_MAX_SHRINK_ITERS=100000 cargo test --release --test core_props -- --test-threads=2
	PROPTEST_CASES=$(FUZZ_CASES) PROPTEST_MAX_SHRINK_ITERS=100000 cargo test --release --lib machine_invariants -- --test-threads=2

test-wasm: setup
	$(WASM) test $$OXIDC_WASM_FLAGS --lib --tests
	$(WASM) test $$OXIDC_WASM_FLAGS --doc --features yew,leptos

## wasm: the release wasm32 build of the crate with the JavaScript facade
wasm: setup
	$(ENV) RUSTFLAGS="$${RUSTFLAGS:-$$OXIDC_WASM_RELEASE_RUSTFLAGS}" CARGO_TARGET_DIR=$$OXIDC_WASM_TARGET_DIR \
	  $$OXIDC_WASM_CARGO build $$OXIDC_WASM_FLAGS --release --lib --features js

## pkg: the npm package in pkg/ and its tarball under target/
pkg: wasm
	@$(ENV) .ci/make-pkg.sh $$OXIDC_WASM_TARGET_DIR/wasm32-unknown-unknown/release/oxidc.wasm

## examples: the Yew and Leptos example apps, as static sites in target/www-yew and target/www-leptos
examples: pkg
	@.ci/build-examples.sh

## size-budget: fails when the shipped bytes (minified page and worker bundles, and the wasm; gzip) grow past .ci/size-budget.txt
size-budget: pkg
	@.ci/size-budget.sh

## check-wasm-fmt: fails when the npm build's wasm contains core::fmt or alloc::fmt code or a slice sort
check-wasm-fmt: pkg
	@.ci/check-wasm-fmt.sh

test-e2e: pkg examples
	cd tests/e2e && node --test --test-concurrency=1

## test-engines: the cross-engine subset of the end-to-end tests in Chromium, Firefox ESR and WebKitGTK
test-engines: pkg examples
	cd tests/engines && node --test --test-concurrency=1

## demo: build, start the dev OpenID provider and the example app on 127.0.0.1
demo: pkg
	node www-example/demo.mjs

## bench: benchmarks (size and speed, side by side with a peer)
bench: pkg
	@.ci/bench.sh

clean:
	rm -rf target pkg
