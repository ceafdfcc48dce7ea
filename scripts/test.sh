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
# The C kernels on ARM64 (NEON) under qemu, which Swift cannot be cross-compiled for here.
scripts/test-arm64.sh
# The suite is XCTest; without this flag the run would close on Swift Testing's "0 tests" line.
# Quantized-weight cache files of the fixtures go under .build, not into the home directory.
export QWENZOO_CACHE="${QWENZOO_CACHE:-$PWD/.build/test-cache}"
swift test --disable-swift-testing "$@"
# The kernel and model-parity suites again at every narrower instruction-set level, so a wide CPU also
# proves the AVX2 and portable paths (a level the CPU lacks means the widest it has).
if [[ $# -eq 0 ]]; then
    case "$(uname -m)" in
        x86_64) levels=(avx2 generic) ;;
        *) levels=(generic) ;;
    esac
    for isa in "${levels[@]}"; do
        echo "test.sh: kernel and model-parity suites with ZOO_ISA=$isa"
        ZOO_ISA=$isa swift test --disable-swift-testing --skip-build --filter 'ZooKernelsTests|ZooModelsTests'
    done
fi
# Every fuzz target for 20 s from its committed corpus (libFuzzer + ASan; the Fuzz/ package, scripts/fuzz.sh).
scripts/fuzz.sh --seconds "${ZOO_FUZZ_SECONDS:-20}"
