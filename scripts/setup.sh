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
