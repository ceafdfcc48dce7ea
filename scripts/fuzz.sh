#!/usr/bin/env bash
# libFuzzer targets for every parser of untrusted input (the Fuzz/ package; issue 18).
#   scripts/fuzz.sh --list                       the targets
#   scripts/fuzz.sh [TARGET…] [--seconds N]      run each target N seconds (default 60) under ASan
#   scripts/fuzz.sh [TARGET…] --budget [--jobs J] issue 18's budget: each target until 1,000,000 executions or
#                                                 900 s of its own CPU time (one core), whichever comes first;
#                                                 J targets at once (default 1); a summary table at the end
#   scripts/fuzz.sh --merge [TARGET…]            fold the last runs' finds into the committed, minimized corpora
#   scripts/fuzz.sh --seeds                      rewrite the seed corpora from the fixtures (Fuzz/make_seeds.py)
# A run starts from Fuzz/Corpus/TARGET (read-only) and keeps what it finds in .build/fuzz/corpus/TARGET; a crash,
# a leak, an allocation over 512 MB or an input slower than FUZZ_TIMEOUT seconds (default 3: the machines are
# shared, so re-run a slow input alone to judge it) fails the run and leaves the input in .build/fuzz/findings/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_EACH=60 MODE=run TARGETS=() JOBS=1
BUDGET_RUNS=${FUZZ_BUDGET_RUNS:-1000000} BUDGET_CPU_SECONDS=${FUZZ_BUDGET_CPU_SECONDS:-900}
while (($#)); do
    case "$1" in
        --list) MODE=list ;;
        --merge) MODE=merge ;;
        --seeds) MODE=seeds ;;
        --budget) MODE=budget ;;
        --jobs) JOBS="$2"; shift ;;
        --seconds) SECONDS_EACH="$2"; shift ;;
        --seconds=*) SECONDS_EACH="${1#*=}" ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) TARGETS+=("$1") ;;
    esac
    shift
done
ALL=($(ls Fuzz/Corpus))
if [[ $MODE == list ]]; then printf '%s\n' "${ALL[@]}"; exit 0; fi
((${#TARGETS[@]})) || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do
    [[ -d Fuzz/Corpus/$t ]] || { echo "fuzz.sh: no target $t (scripts/fuzz.sh --list)" >&2; exit 2; }
done

WORK="$ROOT/.build/fuzz"
mkdir -p "$WORK/corpus" "$WORK/findings"
start=$(date +%s)
# A failed build must stop the run: an older fuzzer binary left from a previous build would otherwise
# fuzz stale code and pass.
build_log="$WORK/build.log"
if ! (cd Fuzz && swift build --product zoo-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    -Xcc -fsanitize=address >"$build_log" 2>&1); then
    grep -v "Cannot export local symbol" "$build_log" | grep -E "error" >&2 || tail -20 "$build_log" >&2
    echo "fuzz.sh: the fuzz build failed (log: $build_log)" >&2
    exit 1
fi
grep -v "Cannot export local symbol" "$build_log" | grep -E "warning:" >&2 || true
FUZZER="$ROOT/Fuzz/.build/debug/zoo-fuzz"
[[ -x $FUZZER ]] || { echo "fuzz.sh: the fuzz build made no $FUZZER" >&2; exit 1; }
echo "fuzz.sh: fuzz build ready in $(($(date +%s) - start)) s" >&2
export LSAN_OPTIONS="suppressions=$ROOT/Fuzz/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"

if [[ $MODE == seeds ]]; then
    python3 Fuzz/make_seeds.py
    ZOO_FUZZ_MAKE_SEEDS="$ROOT/Fuzz/Corpus" "$FUZZER"
    swift build --product zoo >/dev/null
    mkdir -p Fuzz/Corpus/receipt
    .build/debug/zoo generate --manifest nano-chat --prompt "What is 2 + 3?" --max-tokens 4 \
        --receipt Fuzz/Corpus/receipt/nano-chat.json >/dev/null
    exit 0
fi

# The budget is CPU time, not wall time: on a shared machine a wall-clock limit would give a target less than
# the core it is owed. A watchdog reads the fuzzer's CPU time and interrupts it (libFuzzer then prints its final
# stats and exits 72).
# Inputs slower than FUZZ_SLOW_SECONDS of wall time (default 1, issue 18's bound) are kept as slow-unit-* findings;
# on a loaded machine re-run each alone (ZOO_FUZZ_TARGET=T zoo-fuzz -runs=1 FILE) before judging it.
SLOW_SECONDS=${FUZZ_SLOW_SECONDS:-1}
budget_one() {
    local t="$1" dict=() log="$WORK/budget-$1.log" started="$WORK/budget-$1.started"
    touch "$started"
    [[ -f Fuzz/Dictionaries/$t.dict ]] && dict=(-dict="Fuzz/Dictionaries/$t.dict")
    mkdir -p "$WORK/corpus/$t"
    ZOO_FUZZ_TARGET=$t "$FUZZER" "$WORK/corpus/$t" "Fuzz/Corpus/$t" "${dict[@]}" -runs="$BUDGET_RUNS" \
        -timeout="${FUZZ_TIMEOUT:-3}" -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536 -print_final_stats=1 \
        -report_slow_units="$SLOW_SECONDS" -artifact_prefix="$WORK/findings/$t-" >"$log" 2>&1 &
    local pid=$! tick cpu=0 rc
    tick=$(getconf CLK_TCK)
    while kill -0 "$pid" 2>/dev/null; do
        sleep 5
        cpu=$(awk -v t="$tick" '{print int(($14 + $15) / t)}' "/proc/$pid/stat" 2>/dev/null || echo "$cpu")
        if ((cpu >= BUDGET_CPU_SECONDS)); then kill -INT "$pid" 2>/dev/null || true; break; fi
    done
    wait "$pid" && rc=0 || rc=$?
    local runs cov slow
    slow=$(find "$WORK/findings" -name "$t-slow-unit-*" -newer "$started" | wc -l)
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    if ((rc == 0 || rc == 72)); then
        echo "$t: ok, $runs executions, ${cpu} s CPU, $cov, $slow inputs over ${SLOW_SECONDS} s wall"
    else
        echo "$t: FAILED rc $rc after $runs executions (input in $WORK/findings/, log $log)"
        grep -E "ERROR|violated|SUMMARY|Fatal error|timeout|out-of-memory|malloc\(" "$log" | head -8 || true
    fi
}
if [[ $MODE == budget ]]; then
    summary="$WORK/budget-summary.txt"; : >"$summary"
    for t in "${TARGETS[@]}"; do
        while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
        (budget_one "$t" | tee -a "$summary" >&2) &
    done
    wait
    echo "fuzz budget: $(grep -c ': ok' "$summary") passed, $(grep -c ': FAILED' "$summary") failed (summary $summary)"
    ! grep -q ': FAILED' "$summary"
    exit
fi

status=0 passed=0 failed=0
for t in "${TARGETS[@]}"; do
    dict=() ; [[ -f Fuzz/Dictionaries/$t.dict ]] && dict=(-dict="Fuzz/Dictionaries/$t.dict")
    if [[ $MODE == merge ]]; then
        fresh="$WORK/merged-$t"; rm -rf "$fresh"; mkdir -p "$fresh" "$WORK/corpus/$t"
        ZOO_FUZZ_TARGET=$t "$FUZZER" -merge=1 -timeout=5 "$fresh" "Fuzz/Corpus/$t" "$WORK/corpus/$t" 2>/dev/null
        rm -rf "Fuzz/Corpus/$t" && mv "$fresh" "Fuzz/Corpus/$t"
        echo "$t: $(ls "Fuzz/Corpus/$t" | wc -l) inputs after merging" >&2
        continue
    fi
    mkdir -p "$WORK/corpus/$t"
    log="$WORK/$t.log"
    if ZOO_FUZZ_TARGET=$t nice -n 10 "$FUZZER" "$WORK/corpus/$t" "Fuzz/Corpus/$t" "${dict[@]}" \
        -max_total_time="$SECONDS_EACH" -timeout="${FUZZ_TIMEOUT:-3}" -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$WORK/findings/$t-" >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
        echo "$t: ok, $runs executions in ${SECONDS_EACH} s, $cov" >&2
        passed=$((passed + 1))
    else
        status=1 failed=$((failed + 1))
        echo "$t: FAILED (input in $WORK/findings/, log $log):" >&2
        grep -E "ERROR|violated|SUMMARY|Fatal error|timeout|out-of-memory|malloc\(" "$log" | head -8 >&2 || true
    fi
done
[[ $MODE == merge ]] || echo "fuzz: $passed passed, $failed failed"
exit $status
