import Dispatch
import Synchronization
import XCTest

@testable import ZooKernels

/// The thread pool behind `Parallel.forEach`: every index runs exactly once, whoever submits.
final class ParallelTests: XCTestCase {
    override func tearDown() {
        Parallel.threadCount = Parallel.coreCount
    }

    func testEveryIndexRunsExactlyOnce() {
        Parallel.threadCount = max(2, Parallel.coreCount)
        for count in [2, 3, 7, 64, 1000] {
            let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
            defer { hits.deallocate() }
            for _ in 0..<50 {
                hits.initialize(repeating: 0)
                Parallel.forEach(count) { hits[$0] += 1 }
                XCTAssertEqual(hits.filter { $0 == 1 }.count, count, "count \(count)")
            }
        }
    }

    func testManyShortJobsInARow() {
        // A decode step submits ~170 jobs back to back; a lost wake-up or a stale task would hang or miscount.
        Parallel.threadCount = 2
        let total = Atomic<Int>(0)
        for _ in 0..<20_000 {
            Parallel.forEach(2) { i in total.add(i + 1, ordering: .relaxed) }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 20_000 * 3)
    }

    func testJobsAfterTheWorkersFellAsleep() {
        Parallel.threadCount = 2
        let total = Atomic<Int>(0)
        for _ in 0..<3 {
            Parallel.forEach(2) { _ in total.add(1, ordering: .relaxed) }
            usleep(10_000)  // longer than the workers spin
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 6)
    }

    func testNestedAndConcurrentSubmissionsFallBackInsteadOfBlocking() {
        Parallel.threadCount = 2
        let total = Atomic<Int>(0)
        // Nested: the inner job finds the pool busy and runs on Dispatch.
        Parallel.forEach(2) { _ in
            Parallel.forEach(4) { _ in total.add(1, ordering: .relaxed) }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 8)
        // Concurrent submitters (two sessions decoding at once).
        total.store(0, ordering: .relaxed)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 { Parallel.forEach(3) { _ in total.add(1, ordering: .relaxed) } }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 4 * 500 * 3)
    }

    func testOneThreadRunsOnTheCaller() {
        Parallel.threadCount = 1
        var order: [Int] = []
        Parallel.forEach(5) { order.append($0) }
        XCTAssertEqual(order, [0, 1, 2, 3, 4])
    }
}
