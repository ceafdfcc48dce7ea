#!/usr/bin/env bash
# Fetch the real Qwen vocabulary (qwen.tiktoken) into Tests/Fixtures/vocab/qwen.tiktoken.
# Source: the dashscope==2.0.2 package on PyPI, which ships dashscope/resources/qwen.tiktoken.
# Needs only python3 (with pip). Idempotent: silent and fast when the file is already present and correct.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/scripts/fetch_pypi_file.sh" "dashscope==2.0.2" "dashscope/resources/qwen.tiktoken" \
    "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186" "$ROOT/Tests/Fixtures/vocab/qwen.tiktoken"
