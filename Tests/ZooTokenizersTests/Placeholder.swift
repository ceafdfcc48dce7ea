import XCTest

final class ZooTokenizersTestsPlaceholder: XCTestCase {
    func testNothing() {}
}
