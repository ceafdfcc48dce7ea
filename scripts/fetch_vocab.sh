#!/usr/bin/env bash
# Fetch the real Qwen vocabulary (qwen.tiktoken) into Tests/Fixtures/vocab/qwen.tiktoken.
# Source: the dashscope==2.0.2 package on PyPI, which ships dashscope/resources/qwen.tiktoken.
# Needs only python3 (with pip). Idempotent: silent and fast when the file is already present and correct.
set -euo pipefail

EXPECTED_SHA256="b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/Tests/Fixtures/vocab/qwen.tiktoken"
PYTHON="${PYTHON:-python3}"

sha256_of() {
    "$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
}

if [[ -f "$DEST" ]] && [[ "$(sha256_of "$DEST")" == "$EXPECTED_SHA256" ]]; then
    exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "fetch_vocab: downloading dashscope==2.0.2 from PyPI to extract qwen.tiktoken" >&2
if ! "$PYTHON" -m pip download --quiet --no-deps --disable-pip-version-check \
        "dashscope==2.0.2" -d "$TMP/dl" >"$TMP/pip.log" 2>&1; then
    cat "$TMP/pip.log" >&2
    echo "fetch_vocab: ERROR: 'pip download dashscope==2.0.2' failed (is PyPI reachable?)" >&2
    exit 1
fi

mkdir -p "$(dirname "$DEST")"
"$PYTHON" - "$TMP/dl" "$TMP/qwen.tiktoken" <<'PY'
import os, sys, tarfile, zipfile
dl, out = sys.argv[1], sys.argv[2]
files = sorted(os.listdir(dl))
member_suffix = "dashscope/resources/qwen.tiktoken"
data = None
for name in files:
    path = os.path.join(dl, name)
    if name.endswith(".whl") or name.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            for m in z.namelist():
                if m.endswith(member_suffix):
                    data = z.read(m)
                    break
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile() and m.name.endswith(member_suffix):
                    data = t.extractfile(m).read()
                    break
    if data is not None:
        break
if data is None:
    sys.exit(f"fetch_vocab: ERROR: no {member_suffix} inside downloaded files {files}")
with open(out, "wb") as f:
    f.write(data)
PY

ACTUAL="$(sha256_of "$TMP/qwen.tiktoken")"
if [[ "$ACTUAL" != "$EXPECTED_SHA256" ]]; then
    echo "fetch_vocab: ERROR: sha256 mismatch for qwen.tiktoken from dashscope==2.0.2" >&2
    echo "  expected $EXPECTED_SHA256" >&2
    echo "  actual   $ACTUAL" >&2
    echo "  (not installed to $DEST)" >&2
    exit 1
fi
mv "$TMP/qwen.tiktoken" "$DEST"
echo "fetch_vocab: wrote $DEST (sha256 ok)" >&2
