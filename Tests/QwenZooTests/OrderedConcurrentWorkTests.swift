import Synchronization
import XCTest
@testable import QwenZoo

/// `zoo eval --concurrency N`'s runner: results come back in item order whatever order the items
/// finish in, and a failure keeps the results before it (what `--resume` continues from).
final class OrderedConcurrentWorkTests: XCTestCase {
    func testResultsAreDeliveredInItemOrderWithSeveralInFlight() throws {
        let inFlight = Shared((now: 0, most: 0))
        var delivered: [Int] = []
        try OrderedConcurrentWork<Int>(concurrency: 4).run(count: 20) { index in
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            defer { inFlight.withLock { $0.now -= 1 } }
            usleep(useconds_t((20 - index) % 5 * 2000))  // later items often finish first
            return index * index
        } deliver: { index, value in
            XCTAssertEqual(value, index * index)
            delivered.append(index)
        }
        XCTAssertEqual(delivered, Array(0..<20))
        XCTAssertLessThanOrEqual(inFlight.withLock { $0.most }, 4)
    }

    func testAFailureKeepsTheResultsBeforeItAndStartsNoMore() {
        struct Failed: Error {}
        let started = Shared(Set<Int>())
        var delivered: [Int] = []
        XCTAssertThrowsError(
            try OrderedConcurrentWork<Int>(concurrency: 3).run(count: 50) { index in
                started.withLock { _ = $0.insert(index) }
                if index == 5 { throw Failed() }
                usleep(2000)
                return index
            } deliver: { index, _ in
                delivered.append(index)
            }
        ) { XCTAssertTrue($0 is Failed) }
        XCTAssertEqual(delivered, Array(0..<5), "every item before the failure, in order")
        XCTAssertLessThan(started.withLock { $0.count }, 50, "no new items after the failure")
    }
}

/// A value the workers share.
private final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}
