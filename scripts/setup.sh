#!/usr/bin/env bash
# Installs what QwenZoo needs from Debian's packages (OpenBLAS, bubblewrap for the code sandbox of
# `zoo eval --task code`, pip for scripts/fetch_vocab.sh, venv for the client below), then the official
# OpenAI Python client and the jsonschema validator (scripts/requirements-serve.txt) into .build/venv-serve
# for the `zoo serve` test.
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

# Test tooling in venvs under .build (never on the runtime path), each from its pinned requirements and
# reinstalled only when they change: the `zoo serve` acceptance test's openai client, and the validators the
# constrained-generation tests run on their outputs (jsonschema, Lark).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
install_venv() {
    local venv="$ROOT/.build/$1" requirements="$ROOT/scripts/$2"
    cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null && return 0
    if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
        echo "setup: installing python3-venv" >&2
        local sudo=""
        [[ $(id -u) -ne 0 ]] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    fi
    echo "setup: installing $2 into .build/$1" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
}
install_venv venv-serve requirements-serve.txt
install_venv venv-check requirements-check.txt
