#!/usr/bin/env bash
# The suite under AddressSanitizer, and the thread-pool, session and cancellation tests under ThreadSanitizer
# (issue 18). Separate build folders (.build-address, .build-thread), so the normal build is untouched.
#   scripts/test-sanitizers.sh [address|thread]…     both by default
# LeakSanitizer reports of Foundation's own allocations are suppressed (Fuzz/lsan.supp).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
scripts/fetch_vocab.sh
scripts/fetch_humaneval.sh
export QWENZOO_CACHE="${QWENZOO_CACHE:-$PWD/.build/test-cache}"
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0"
# The threaded tests: the kernels' thread pool, sessions (streams, concurrent requests), cancellation, the batching
# scheduler (its own thread, concurrent submitters) and the server on it.
THREADED="ParallelTests|APISessionTests|APICancellationTests|APIPromptCacheTests|ZooSchedulerTests|ZooServerTests"
status=0
for sanitizer in "${@:-address thread}"; do
    for s in $sanitizer; do
        case "$s" in
            address) filter=() ;;
            thread) filter=(--filter "$THREADED") ;;
            *) echo "test-sanitizers.sh: unknown sanitizer $s (address or thread)" >&2; exit 2 ;;
        esac
        start=$(date +%s)
        echo "== swift test --sanitize=$s ${filter[*]}" >&2
        if swift test --disable-swift-testing --sanitize="$s" --build-path ".build-$s" "${filter[@]}"; then
            echo "== $s: clean ($(($(date +%s) - start)) s)" >&2
        else
            echo "== $s: FAILED ($(($(date +%s) - start)) s)" >&2
            status=1
        fi
    done
done
exit $status
