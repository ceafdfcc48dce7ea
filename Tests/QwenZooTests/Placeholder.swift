import XCTest

final class QwenZooTestsPlaceholder: XCTestCase {
    func testNothing() {}
}
