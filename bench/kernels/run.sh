#!/usr/bin/env bash
# One core's matrix product per weight format at the 0.5B model's shapes, the working tree's kernels
# against a baseline revision's, alternating in one process (bench/kernels/gemm.c), timed with the
# thread's CPU clock. Figures from a machine other jobs load are indicative only.
#
#   bench/kernels/run.sh [--baseline REF] [--isa LEVEL] [--reps N] [FORMAT...]
#
# REF defaults to HEAD; LEVEL (generic|avx2|avx512|neon) is passed as ZOO_ISA; FORMATs default to
# q8_0 q4_0 q4_kb32 f32 bf16. Shapes: 512 tokens × 896 → 4864 (the MLP's gate and up), 512 × 4864 → 896
# (down), 512 × 896 → 896 (attention's q and o), and one token × 896 → 4864 and × 4864 → 896 (decode steps).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

baseline=HEAD isa="" reps=5 formats=()
while (($#)); do
    case $1 in
    --baseline) baseline=$2; shift 2 ;;
    --isa) isa=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) formats+=("$1"); shift ;;
    esac
done
((${#formats[@]})) || formats=(q8_0 q4_0 q4_kb32 f32 bf16)

cc=${CC:-clang}
command -v "$cc" >/dev/null 2>&1 || cc=cc
out=.build/bench-kernels
rm -rf "$out" && mkdir -p "$out/base-src" "$out/base-obj" "$out/obj"
flags=(-O2 -std=gnu11 -ISources/CZooKernels/include)

# The baseline's kernels as one object whose every global definition is renamed base_<name>.
git archive "$baseline" Sources/CZooKernels | tar -x -C "$out/base-src"
for f in "$out"/base-src/Sources/CZooKernels/*.c; do
    "$cc" "${flags[@]/-ISources/-I$out/base-src/Sources}" -c "$f" -o "$out/base-obj/$(basename "$f" .c).o"
done
ld -r -o "$out/base.o" "$out"/base-obj/*.o
nm --defined-only -g "$out/base.o" | awk '{print $3 " base_" $3}' >"$out/renames"
objcopy --redefine-syms="$out/renames" "$out/base.o"

# KERNEL_CFLAGS (e.g. -DZOO_X8_TOKENS=3 -DZOO_X8_ROWS=2) apply to the working tree's kernels only.
for f in Sources/CZooKernels/*.c; do
    "$cc" "${flags[@]}" ${KERNEL_CFLAGS:-} -c "$f" -o "$out/obj/$(basename "$f" .c).o"
done
"$cc" "${flags[@]}" -DZOO_BENCH_BASELINE bench/kernels/gemm.c "$out"/obj/*.o "$out/base.o" -lm -lpthread -o "$out/gemm"

echo "baseline $(git rev-parse --short "$baseline") vs working tree; $cc -O2; thread CPU time; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for format in "${formats[@]}"; do
    for shape in "512 896 4864" "512 4864 896" "512 896 896" "1 896 4864" "1 4864 896"; do
        # q4_K's super-blocks of 256 need K = 4864 (896 = 3.5 × 256 is stored as q5_0 / q8_0 in Q4_K_M).
        [[ $format == q4_kb32 && $shape != *" 4864 "* ]] && continue
        r=$reps
        [[ $shape == 1\ * ]] && r=$((reps * 20))
        env ${isa:+ZOO_ISA=$isa} "$out/gemm" "$format" $shape "$r"
    done
done
