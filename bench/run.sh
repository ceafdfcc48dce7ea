#!/usr/bin/env bash
# QwenZoo vs PyTorch (transformers) vs tiktoken, one run, one machine. See bench/README.md.
#   bench/run.sh                 # everything (~10 min on 2 cores)
# Environment knobs: PYTHON (default python3), BENCH_MODELS (bench/.models), MODEL_DIR, CORPUS, THREADS (2), PROMPT (512),
# DECODE (64), REPEAT (3), TORCH_BF16 (1 = also run torch bf16), OPENBLAS_CORETYPE_FOR_ZOO (SkylakeX; empty =
# OpenBLAS default detection), IDLE_TIMEOUT (s to wait for an idle machine before each timed step, 600).
set -uo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
PYTHON="${PYTHON:-python3}"
BENCH_MODELS="${BENCH_MODELS:-$BENCH/.models}"
MODEL_DIR="${MODEL_DIR:-$BENCH_MODELS/qwen2.5-0.5b-random-f32}"
BF16_DIR="${BF16_DIR:-${MODEL_DIR%-f32}-bf16}"
CORPUS="${CORPUS:-$BENCH_MODELS/corpus-5mb.txt}"
VOCAB="$ROOT/Tests/Fixtures/vocab/qwen.tiktoken"
THREADS="${THREADS:-2}"; PROMPT="${PROMPT:-512}"; DECODE="${DECODE:-64}"; REPEAT="${REPEAT:-3}"
TORCH_BF16="${TORCH_BF16:-1}"
OPENBLAS_CORETYPE_FOR_ZOO="${OPENBLAS_CORETYPE_FOR_ZOO-SkylakeX}"
IDLE_TIMEOUT="${IDLE_TIMEOUT:-600}"
OUT="$(mktemp -d /tmp/zoo-bench.XXXXXX)"
ZOO="$ROOT/.build/release/zoo"
IDLE_NOTES=""

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# Wait until the whole machine is idle: < 10 % busy over 2 s (from /proc/stat).
wait_idle() {
    local what="$1" waited=0
    while :; do
        local busy
        busy=$(awk 'NR==1{b=$2+$3+$4+$7+$8+$9; t=b+$5+$6; print b, t}' /proc/stat; sleep 2;
               awk 'NR==1{b=$2+$3+$4+$7+$8+$9; t=b+$5+$6; print b, t}' /proc/stat)
        busy=$(echo $busy | awk '{printf "%d", 100*($3-$1)/(($4-$2)>0?($4-$2):1)}')
        if (( busy < 10 )); then
            (( waited > 0 )) && IDLE_NOTES+="waited ${waited}s before $what; "
            return 0
        fi
        if (( waited >= IDLE_TIMEOUT )); then
            log "machine still ${busy}% busy after ${waited}s; running $what anyway"
            IDLE_NOTES+="**$what ran on a busy machine (${busy}% CPU in use by others)**; "
            top -bn1 | sed -n 7,12p >&2
            return 0
        fi
        (( waited % 30 == 0 )) && log "waiting for idle machine before $what (${busy}% busy)"
        sleep 3; waited=$((waited + 5))
    done
}

# (a) build
log "building zoo (release)"
for attempt in 1 2 3 4 5; do
    if (cd "$ROOT" && swift build -c release --product zoo >"$OUT/build.log" 2>&1); then break; fi
    if (( attempt == 5 )); then tail -30 "$OUT/build.log" >&2; log "build failed 5 times"; exit 1; fi
    log "build failed (attempt $attempt; someone mid-edit?), retrying in 60 s"; sleep 60
done

# (b) inputs
[[ -f "$MODEL_DIR/model.safetensors" ]] || { log "making $MODEL_DIR"; "$PYTHON" "$BENCH/make_random_qwen.py" "$MODEL_DIR" || exit 1; }
[[ -f "$BF16_DIR/model.safetensors" ]] || { log "making $BF16_DIR"; "$PYTHON" "$BENCH/make_random_qwen.py" "$BF16_DIR" --dtype bfloat16 || exit 1; }
[[ -f "$VOCAB" ]] || { log "fetching vocabulary"; PYTHON="$PYTHON" bash "$ROOT/scripts/fetch_vocab.sh" || exit 1; }
[[ -f "$CORPUS" ]] || { mkdir -p "$(dirname "$CORPUS")"; "$PYTHON" "$BENCH/tokenizer_bench.py" --make-corpus "$CORPUS" || exit 1; }
cc -O3 -march=native -fopenmp "$BENCH/membw.c" -o "$OUT/membw" || { log "cannot compile membw.c"; exit 1; }

# (c) timed runs, one at a time
membw() { wait_idle "membw ($1)"; log "membw $1"; OMP_NUM_THREADS="$THREADS" "$OUT/membw" 1024 12 >"$OUT/membw-$1.json" 2>"$OUT/membw-$1.err"; }
zoo_model() {  # name, matmul, env...   (ZOO_MODEL and ZOO_PRECISION pick the checkpoint and weight format)
    local name="$1" matmul="$2"; shift 2
    wait_idle "$name"; log "$name"
    env "$@" "$ZOO" bench --model "${ZOO_MODEL:-$MODEL_DIR}" --prompt-tokens "$PROMPT" --decode-tokens "$DECODE" --repeat "$REPEAT" \
        --threads "$THREADS" --matmul "$matmul" --precision "${ZOO_PRECISION:-auto}" --json >"$OUT/$name.json" 2>"$OUT/$name.err" \
        || log "$name failed: $(tail -1 "$OUT/$name.err")"
}
torch_model() {
    local dtype="$1"; wait_idle "torch-$dtype"; log "torch $dtype"
    OMP_NUM_THREADS="$THREADS" "$PYTHON" "$BENCH/torch_bench.py" --model "$MODEL_DIR" --prompt-tokens "$PROMPT" \
        --decode-tokens "$DECODE" --repeat "$REPEAT" --threads "$THREADS" --dtype "$dtype" --json \
        >"$OUT/torch-$dtype.json" 2>"$OUT/torch-$dtype.err" || log "torch $dtype failed: $(tail -1 "$OUT/torch-$dtype.err")"
}

# membw runs before the first model and after every model run (~2 s each): the host's bandwidth mode can
# change within seconds, so each decode figure is related to the readings taken just before and after it.
membw 0
zoo_model zoo-native native; membw 1
if [[ -n "$OPENBLAS_CORETYPE_FOR_ZOO" ]]; then
    zoo_model zoo-openblas openblas OPENBLAS_CORETYPE="$OPENBLAS_CORETYPE_FOR_ZOO"
    OPENBLAS_NOTE=" (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE_FOR_ZOO)"
else
    zoo_model zoo-openblas openblas; OPENBLAS_NOTE=""
fi
membw 2
torch_model float32; membw 3
if [[ "$TORCH_BF16" == 1 ]]; then torch_model bfloat16; membw 4; fi
ZOO_MODEL="$BF16_DIR" zoo_model zoo-bf16 native; membw 5
ZOO_PRECISION=q8_0 zoo_model zoo-q8_0 native; membw 6
ZOO_PRECISION=q4_0 zoo_model zoo-q4_0 native; membw 7
wait_idle tiktoken; log "tiktoken"
"$PYTHON" "$BENCH/tokenizer_bench.py" --vocab "$VOCAB" --text "$CORPUS" --repeat 3 --json >"$OUT/tiktoken.json" 2>"$OUT/tiktoken.err" \
    || log "tiktoken failed: $(tail -1 "$OUT/tiktoken.err")"
wait_idle zoo-tokenizer; log "zoo tokenizer"
if ! "$ZOO" bench --tokenizer "$VOCAB" --text "$CORPUS" --json >"$OUT/zoo-tokenizer.json" 2>"$OUT/zoo-tokenizer.err"; then
    log "zoo bench --tokenizer failed (option not available yet?): $(head -1 "$OUT/zoo-tokenizer.err"); row skipped"
    rm -f "$OUT/zoo-tokenizer.json"
fi
wait_idle sampling; log "sampling cost"
"$ZOO" sample-lab --bench >"$OUT/sampling.txt" 2>"$OUT/sampling.err" || log "sample-lab --bench failed: $(tail -1 "$OUT/sampling.err")"

# (d) report
CPU_DESC="$(lscpu | awk -F': *' '/^Model name/{n=$2} /^CPU family/{f=$2} /^Model:/{m=$2} /^L2 cache/{l2=$2} /^L3 cache/{l3=$2}
    END{printf "%s (family %s model %s; L2 %s, L3 %s)", n, f, m, l2, l3}'), $(grep -m1 -o -w -E 'avx512(f|_bf16|_vnni)' /proc/cpuinfo | sort -u | tr '\n' ' ')"
export CPU_DESC
"$PYTHON" - "$OUT/env.json" <<PY
import json, os, subprocess, sys, platform, hashlib, datetime
def sh(c):
    try: return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception: return "?"
import torch, transformers, tiktoken
isa = "?"
try: isa = json.loads(open("$OUT/zoo-native.json").read()).get("isa", "?")
except Exception: pass
corpus = open("$CORPUS", "rb").read()
json.dump({
    "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
    "cpu": os.environ.get("CPU_DESC", "?"), "cpus": sh("nproc"), "isa": isa,
    "git": sh("cd '$ROOT' && git rev-parse --short HEAD") + (" + uncommitted changes" if sh("cd '$ROOT' && git status --porcelain -- Sources Package.swift") else ""),
    "swift": sh("swift --version 2>&1 | head -1"), "python": platform.python_version(),
    "torch": torch.__version__, "transformers": transformers.__version__, "tiktoken": tiktoken.__version__,
    "threads": $THREADS, "prompt_tokens": $PROMPT, "decode_tokens": $DECODE, "repeat": $REPEAT,
    "openblas_note": "$OPENBLAS_NOTE", "idle_notes": "${IDLE_NOTES}".strip("; "),
    "corpus": f"{len(corpus):,} bytes, sha256 {hashlib.sha256(corpus).hexdigest()[:16]} (bench/tokenizer_bench.py --make-corpus, Python {platform.python_version()})",
}, open(sys.argv[1], "w"))
PY
mkdir -p "$BENCH/results"
"$PYTHON" "$BENCH/report.py" "$OUT" --model "$MODEL_DIR" --out "$BENCH/results/latest.md"
log "raw JSON in $OUT; table written to $BENCH/results/latest.md"
