import CZooKernels
import Dispatch
import Foundation
import Synchronization

/// Splits independent work over the cores.
public enum Parallel {
    /// The number of cores the process may use.
    public static let coreCount = ProcessInfo.processInfo.activeProcessorCount

    private static let threads = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)

    /// How many threads the kernels use (default: every core).
    public static var threadCount: Int {
        get { threads.load(ordering: .relaxed) }
        set { threads.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Runs `body(0) … body(count-1)` concurrently and returns when all are done.
    ///
    /// The work goes to a persistent pool of spinning threads (`zoo_thread_pool.h`): a decode step
    /// issues ~170 short jobs, and waking idle threads for each costs more than some of the jobs.
    /// A job submitted while the pool is busy (from inside a task, or by another session at the same
    /// moment) runs on Dispatch's threads instead.
    ///
    /// The kernels hand raw pointers to disjoint slices of one buffer to each index, which the
    /// compiler cannot prove safe; callers guarantee that no two indices write the same memory.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 {
            if count == 1 { body(0) }
            return
        }
        if usePool, runOnPool(count, body) { return }
        dispatch(count, body)
    }

    /// Hands `body` to the pool as a pointer to a stack slot; false when the pool was busy and
    /// nothing ran. (`withoutActuallyEscaping` still boxes the closure: two small allocations a job.)
    private static func runOnPool(_ count: Int, _ body: (Int) -> Void) -> Bool {
        withoutActuallyEscaping(body) { escapable -> Bool in
            var job = escapable
            return withUnsafeMutablePointer(to: &job) { job in
                zoo_pool_run(Int32(min(count, threadCount)), Int32(count), { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, job) == 0
            }
        }
    }

    /// Calls `body(begin, end)` over ranges that cover the output rows `0 ..< rows` of a matrix product,
    /// each range starting at a multiple of `alignment` (a kernel's row group), spread over the
    /// threads, one range each (measured: smaller ranges claimed as threads finish did not decode
    /// faster); `work` (rows × columns × tokens) below ~128 K multiply-adds stays on one thread.
    /// The split never changes any element's arithmetic.
    public static func forEachRowRange(_ rows: Int, work: Int, alignment: Int, _ body: (Int, Int) -> Void) {
        let threads = work < 1 << 17 ? 1 : min(threadCount, max(1, rows / alignment))
        guard threads > 1 else { return body(0, rows) }
        let size = ((rows + threads - 1) / threads + alignment - 1) / alignment * alignment
        forEach((rows + size - 1) / size) { i in
            let begin = i * size, end = min(rows, begin + size)
            if begin < end { body(begin, end) }
        }
    }

    /// Calls `body(begin, end)` over `rows` independent rows, one range per thread, or over all of them
    /// on the calling thread when there are fewer than `serialBelow` (too little work to split).
    public static func forEachRowChunk(_ rows: Int, serialBelow: Int, _ body: (Int, Int) -> Void) {
        let threads = rows < serialBelow ? 1 : min(threadCount, rows)
        let chunk = (rows + threads - 1) / threads
        forEach(threads) { i in
            let begin = i * chunk, end = min(rows, begin + chunk)
            if begin < end { body(begin, end) }
        }
    }

    /// `ZOO_THREAD_POOL=0` sends every job to Dispatch, to measure what the pool buys.
    static let usePool = ProcessInfo.processInfo.environment["ZOO_THREAD_POOL"] != "0"

    /// The pool's fallback: Dispatch's shared threads.
    static func dispatch(_ count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
        }
    }
}

/// Carries a value the compiler cannot check across a concurrency boundary.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
