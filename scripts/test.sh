#!/usr/bin/env bash
# The whole test suite: system packages, the real Qwen vocabulary and HumanEval problems, the example app, then
# every Swift test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
scripts/fetch_vocab.sh
scripts/fetch_humaneval.sh
# The example package (Examples/) builds against this one and chats with the bundled model.
scripts/test_example.sh
# The suite is XCTest; without this flag the run would close on Swift Testing's "0 tests" line.
# Quantized-weight cache files of the fixtures go under .build, not into the home directory.
export QWENZOO_CACHE="${QWENZOO_CACHE:-$PWD/.build/test-cache}"
swift test --disable-swift-testing "$@"
# Every fuzz target for 20 s from its committed corpus (libFuzzer + ASan; the Fuzz/ package, scripts/fuzz.sh).
scripts/fuzz.sh --seconds "${ZOO_FUZZ_SECONDS:-20}"
