# oxidc — build, test and run the demo. Every target installs what it needs first (make setup).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ENV := source .ci/env.sh &&
WASM = $(ENV) CARGO_TARGET_DIR=$$OXIDC_WASM_TARGET_DIR $$OXIDC_WASM_CARGO

.PHONY: all setup test test-native test-wasm test-e2e lint check-core wasm pkg demo bench fuzz clean

all: pkg

## setup: install the toolchain pieces that are missing (idempotent)
setup:
	@.ci/setup.sh

## test: every test (native, wasm in Chromium, lints, source gates, package, end to end)
test: setup lint check-core test-native test-wasm pkg test-e2e
	@echo "make test: all green"

lint: setup
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	$(WASM) clippy $$OXIDC_WASM_FLAGS --all-targets --features js -- -D warnings

check-core:
	@.ci/check-sources.sh

test-native:
	cargo test --all-targets

## fuzz: the parser property tests (tests/core_props.rs) with many cases: FUZZ_CASES per property
FUZZ_CASES ?= 200000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) PROPTEST_MAX_SHRINK_ITERS=100000 cargo test --release --test core_props -- --test-threads=2

test-wasm: setup
	$(WASM) test $$OXIDC_WASM_FLAGS --lib --tests

## wasm: the release wasm32 build of the crate with the JavaScript facade
wasm: setup
	$(WASM) build $$OXIDC_WASM_FLAGS --release --lib --features js

## pkg: the npm package in pkg/ and its tarball under target/
pkg: wasm
	@$(ENV) .ci/make-pkg.sh $$OXIDC_WASM_TARGET_DIR/wasm32-unknown-unknown/release/oxidc.wasm

test-e2e: pkg
	cd tests/e2e && node --test --test-concurrency=1

## demo: build, start the dev OpenID provider and the example app on 127.0.0.1
demo: pkg
	node www-example/demo.mjs

## bench: benchmarks (size and speed, side by side with a peer)
bench: pkg
	@.ci/bench.sh

clean:
	rm -rf target pkg
