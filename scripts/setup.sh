#!/usr/bin/env bash
# Installs what QwenZoo needs from Debian's packages (OpenBLAS, bubblewrap for the code sandbox of
# `zoo eval --task code`, and pip for scripts/fetch_vocab.sh).
# Quiet and quick when everything is already there.
set -euo pipefail

missing=()
[[ -f /usr/include/x86_64-linux-gnu/cblas.h || -f /usr/include/cblas.h || -f /usr/include/aarch64-linux-gnu/cblas.h ]] \
    || missing+=(libopenblas-dev)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The validators the constrained-generation tests run on their outputs (jsonschema, Lark), pinned in
# scripts/requirements-check.txt, in a venv under .build (never on the runtime path).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.build/venv-check"
STAMP="$VENV/.requirements"
if ! cmp -s "$ROOT/scripts/requirements-check.txt" "$STAMP" 2>/dev/null; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" >/dev/null 2>&1; then
        echo "setup: installing python3-venv" >&2
        SUDO=""
        [[ $(id -u) -ne 0 ]] && SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    fi
    echo "setup: installing the output validators into .build/venv-check" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/scripts/requirements-check.txt"
    cp "$ROOT/scripts/requirements-check.txt" "$STAMP"
fi
