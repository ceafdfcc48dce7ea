import XCTest

final class ZooKernelsTestsPlaceholder: XCTestCase {
    func testNothing() {}
}
