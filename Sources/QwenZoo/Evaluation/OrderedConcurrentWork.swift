import Dispatch
import Synchronization

/// Runs an evaluation's items with up to `concurrency` in flight and hands their results back in
/// item order, so a big remote engine is kept busy while the records, the `--out` file and the
/// progress stay exactly those of a one-by-one run.
///
/// Each item runs on its own worker thread (a request blocks its thread while it waits for the
/// engine); results are delivered on the calling thread as soon as every earlier item's is. The
/// first error stops new items from starting; it is thrown once the items in flight have ended,
/// after the results before it were delivered (so a resumable run keeps them).
struct OrderedConcurrentWork<Result: Sendable>: Sendable {
    /// The most items in flight (1: one after another on the calling thread).
    let concurrency: Int

    func run(count: Int, work: @escaping @Sendable (Int) throws -> Result, deliver: (Int, Result) throws -> Void) throws {
        guard concurrency > 1, count > 1 else {
            for index in 0..<count { try deliver(index, try work(index)) }
            return
        }
        let board = Board<Result>()
        let workers = DispatchGroup()
        for _ in 0..<min(concurrency, count) {
            DispatchQueue.global(qos: .userInitiated).async(group: workers) {
                while let index = board.claim(below: count) {
                    board.post(index, Swift.Result { try work(index) })
                }
            }
        }
        defer { workers.wait() }
        do {
            for index in 0..<count { try deliver(index, try board.take(index).get()) }
        } catch {
            board.stop()
            throw error
        }
    }
}

/// The results posted by the workers, and the next item to start.
private final class Board<Value: Sendable>: Sendable {
    private struct State {
        var next = 0
        var stopped = false
        var posted: [Int: Result<Value, any Error>] = [:]
    }
    private let state = Mutex(State())
    private let posted = DispatchSemaphore(value: 0)

    /// The next item to run; nil once every item has started or the run stopped.
    func claim(below count: Int) -> Int? {
        state.withLock { s in
            guard !s.stopped, s.next < count else { return nil }
            defer { s.next += 1 }
            return s.next
        }
    }

    func post(_ index: Int, _ result: Result<Value, any Error>) {
        state.withLock { s in
            s.posted[index] = result
            if case .failure = result { s.stopped = true }
        }
        posted.signal()
    }

    /// Waits for item `index`'s result.
    func take(_ index: Int) -> Result<Value, any Error> {
        while true {
            if let result = state.withLock({ $0.posted.removeValue(forKey: index) }) { return result }
            posted.wait()
        }
    }

    func stop() { state.withLock { $0.stopped = true } }
}
