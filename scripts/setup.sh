#!/usr/bin/env bash
# Installs what QwenZoo needs from Debian's packages (OpenBLAS, bubblewrap for the code sandbox of
# `zoo eval --task code`, pip for scripts/fetch_vocab.sh, venv for the client below), then the official
# OpenAI Python client (scripts/requirements-serve.txt) into .build/venv-serve for the `zoo serve` test.
# Quiet and quick when everything is already there.
set -euo pipefail

missing=()
[[ -f /usr/include/x86_64-linux-gnu/cblas.h || -f /usr/include/cblas.h || -f /usr/include/aarch64-linux-gnu/cblas.h ]] \
    || missing+=(libopenblas-dev)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The `zoo serve` acceptance test's client, pinned; reinstalled only when the requirements change.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.build/venv-serve"
REQUIREMENTS="$ROOT/scripts/requirements-serve.txt"
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements.txt" 2>/dev/null; then
    echo "setup: installing the openai client into .build/venv-serve" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$VENV/requirements.txt"
fi
