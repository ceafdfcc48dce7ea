#!/usr/bin/env bash
# The whole test suite: system packages, the real Qwen vocabulary, then every Swift test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
scripts/fetch_vocab.sh
swift test "$@"
