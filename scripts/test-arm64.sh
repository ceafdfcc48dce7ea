#!/usr/bin/env bash
# The C kernels (Sources/CZooKernels) on ARM64, where Swift cannot be cross-compiled here: the plain-C
# driver Tests/CKernels/kernel_tests.c, cross-compiled with Debian's gcc-aarch64-linux-gnu (ARMv8.2 with
# dotprod) and with clang when there is one (plain ARMv8.0, as Swift builds it), run under qemu-aarch64
# on CPUs with and without dotprod (the SDOT and the widening integer paths). The same driver also
# runs natively on x86 at every level the host has, as a check of the driver.
# Each run must reach the path it is meant for, or it fails. Closes with "N passed, M failed" (checks
# over all runs; a build that fails counts as one failure) and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-user)
if ((${#missing[@]})); then
    echo "test-arm64: installing ${missing[*]}" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

out=.build/c-kernels
mkdir -p "$out"
sources=(Sources/CZooKernels/*.c Tests/CKernels/kernel_tests.c)
# GCC ignores `#pragma STDC FP_CONTRACT OFF`, which the dequantizers rely on to round as gguf-py does
# (clang, Swift's compiler, honours it): no contraction anywhere gives the same semantics. The NEON
# kernels fuse explicitly (vfmaq), so this changes only the portable C.
common=(-O2 -std=gnu11 -Wall -Wextra -Wno-unknown-pragmas -ffp-contract=off -ISources/CZooKernels/include)

passed=0
failed=0

# run LABEL BINARY [env and runner words...]: runs the driver and adds its closing line to the totals.
run() {
    local label=$1 binary=$2
    shift 2
    local log="$out/$label.log" status=0
    env "$@" "$binary" >"$log" 2>&1 || status=$?
    local last
    last=$(tail -n 1 "$log")
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        echo "$label: $(head -n 1 "$log"); $(grep '^info:' "$log" | cut -c7-) — ${BASH_REMATCH[1]} checks, ${BASH_REMATCH[2]} failed"
        grep '^FAIL' "$log" | head -n 20 || true
    else
        failed=$((failed + 1))
        echo "$label: no result (exit $status); end of $log:"
        tail -n 20 "$log"
    fi
}

# build NAME COMPILER FLAGS...: compiles the kernels and the driver, or counts one failure.
build() {
    local name=$1 compiler=$2
    shift 2
    if ! "$compiler" "${common[@]}" "$@" -o "$out/$name" "${sources[@]}" -lm -lpthread 2>"$out/$name.build.log"; then
        failed=$((failed + 1))
        echo "$name: build failed:"
        head -n 30 "$out/$name.build.log"
        return 1
    fi
}

qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu)

# 1. ARMv8.2 with dotprod and fp16: the SDOT integer path; ZOO_ISA=generic caps it to portable C.
if build arm64-dotprod aarch64-linux-gnu-gcc -Werror -march=armv8.2-a+dotprod+fp16; then
    run arm64-neon-dotprod "$out/arm64-dotprod" ZOO_TEST_EXPECT_ISA=neon ZOO_TEST_EXPECT_DOTPROD=1 "${qemu[@]}" -cpu max
    run arm64-isa-generic "$out/arm64-dotprod" ZOO_ISA=generic ZOO_TEST_EXPECT_ISA=generic "${qemu[@]}" -cpu max
fi
# 2. Plain ARMv8.0 (the widening integer path on a Cortex-A57, which has no dotprod; SDOT through the
# target attribute on a CPU with it), built by clang, the compiler Swift builds the kernels with, or
# else by GCC.
base=(aarch64-linux-gnu-gcc -Werror -march=armv8-a)
command -v clang >/dev/null 2>&1 && base=(clang --target=aarch64-linux-gnu -Werror)
if build arm64-base "${base[@]}"; then
    run arm64-neon-base "$out/arm64-base" ZOO_TEST_EXPECT_ISA=neon ZOO_TEST_EXPECT_DOTPROD=0 "${qemu[@]}" -cpu cortex-a57
    run arm64-neon-base-dotprod "$out/arm64-base" ZOO_TEST_EXPECT_ISA=neon ZOO_TEST_EXPECT_DOTPROD=1 "${qemu[@]}" -cpu max
fi
# 3. This x86 host natively, at every level it has: a check of the driver (the x86 kernels need
# clang's target attributes; warnings there are the Swift build's business).
if [[ $(uname -m) == x86_64 ]] && command -v clang >/dev/null 2>&1; then
    if build x86 clang; then run x86-native "$out/x86"; fi
fi

echo "$passed passed, $failed failed"
((failed == 0))
