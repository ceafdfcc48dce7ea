import XCTest
@testable import ZooRemote

/// `Retry-After` comes from a stranger's server: only a finite, non-negative wait is honoured.
final class RetryAfterTests: XCTestCase {
    func testAnOverflowingOrNegativeRetryAfterIsIgnored() {
        XCTAssertEqual(OpenAIEngine.seconds("2"), 2)
        XCTAssertEqual(OpenAIEngine.seconds(" 0.5 "), 0.5)
        // 1e400 is infinity as a double: honouring it would wait forever, and formatting it crashed.
        XCTAssertNil(OpenAIEngine.seconds("1e400"))
        XCTAssertNil(OpenAIEngine.seconds("nan"))
        XCTAssertNil(OpenAIEngine.seconds("-3"))
        XCTAssertNil(OpenAIEngine.seconds("soon"))
    }

    func testAnInfiniteWaitIsDescribedWithoutCrashing() {
        let error = RemoteEngineError.busy(url: "http://h/v1/completions", status: 429, attempts: 1, retryAfter: .infinity)
        XCTAssertTrue("\(error)".contains("inf"), "\(error)")
    }
}
