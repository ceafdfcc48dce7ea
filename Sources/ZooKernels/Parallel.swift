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
    /// The kernels hand raw pointers to disjoint slices of one buffer to each index, which the
    /// compiler cannot prove safe; callers guarantee that no two indices write the same memory.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 {
            body(0)
            return
        }
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
