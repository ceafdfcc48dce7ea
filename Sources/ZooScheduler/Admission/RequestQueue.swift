import Foundation
import ZooCore

/// What the submitting threads and the step loop share: the requests waiting for admission,
/// cancellations, and the status the loop last published. Everything here is behind one lock;
/// the running batch itself belongs to the loop's thread alone.
final class RequestQueue: @unchecked Sendable {
    /// A submitted request waiting for admission, its samplers already built.
    struct Pending {
        let id: Int
        let request: EngineRequest
        let samplers: [any TokenSampler]
        let events: AsyncThrowingStream<EngineEvent, any Error>.Continuation
        /// A caller's cache that sample 0 continues in (a session's), and what to call once the
        /// scheduler no longer touches it.
        var callerCache: CallerCache?
    }

    /// A cache the scheduler borrows from its caller.
    struct CallerCache {
        let cache: any KVCache
        let release: @Sendable () -> Void
    }

    private let condition = NSCondition()
    private var pending: [Pending] = []
    private var cancelled: Set<Int> = []
    private var isShutDown = false
    private var isDraining = false
    private var nextID = 0
    private var published = EngineStatus()
    private let parallel: Int
    private let maxQueue: Int

    init(parallel: Int, maxQueue: Int, kvBytesBudget: Int) {
        self.parallel = parallel
        self.maxQueue = maxQueue
        published.kvBytesBudget = kvBytesBudget
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    /// A fresh request id.
    func makeID() -> Int { locked { defer { nextID += 1 }; return nextID } }

    /// Queues a request, unless more than `maxQueue` would wait: requests that free slots of the
    /// batch can take at once do not count as waiting.
    func enqueue(_ request: Pending) throws {
        try locked {
            let freeSlots = max(0, parallel - published.running)
            guard pending.count - freeSlots < maxQueue else {
                throw EngineOverloadError(queued: pending.count, limit: maxQueue, retryAfterSeconds: 1)
            }
            pending.append(request)
            published.queued = pending.count
            condition.signal()
        }
    }

    /// The consumer of request `id`'s stream went away: forget it if it waits, else tell the loop.
    func cancel(_ id: Int) {
        locked {
            if let i = pending.firstIndex(where: { $0.id == id }) {
                pending.remove(at: i).callerCache?.release()
                published.queued = pending.count
            } else {
                cancelled.insert(id)
                condition.signal()
            }
        }
    }

    /// Stops the loop: it ends every stream and returns.
    func shutDown() {
        locked {
            isShutDown = true
            condition.signal()
        }
    }

    /// Lets the loop return once the running and waiting requests are done (nothing new can come).
    func finishWork() {
        locked {
            isDraining = true
            condition.signal()
        }
    }

    /// Blocks the loop's thread until there is something to do; returns the requests cancelled since
    /// the last call, or nil once the scheduler is shut down.
    func waitForWork(hasRunning: Bool) -> Set<Int>? {
        locked {
            while !isShutDown, !isDraining, !hasRunning, pending.isEmpty, cancelled.isEmpty { condition.wait() }
            if isShutDown || (isDraining && !hasRunning && pending.isEmpty) { return nil }
            defer { cancelled = [] }
            return cancelled
        }
    }

    /// The requests still waiting, for a shutdown.
    func drain() -> [Pending] {
        locked {
            defer { pending = [] }
            return pending
        }
    }

    /// Takes waiting requests in order while `start` accepts them (it starts those it accepts).
    func admit(_ start: (Pending) -> Bool) {
        locked {
            while let first = pending.first, start(first) {
                pending.removeFirst()
                published.running += first.request.samples  // until the loop publishes, so enqueue sees the slots taken
            }
            published.queued = pending.count
        }
    }

    /// Records the loop's view of the batch (the queue length is this object's own).
    func publish(running: Int, kvBytesInUse: Int, stepsByBatchSize: [Int: Int]) {
        locked {
            published.running = running
            published.kvBytesInUse = kvBytesInUse
            published.stepsByBatchSize = stepsByBatchSize
        }
    }

    var status: EngineStatus { locked { published } }
}
