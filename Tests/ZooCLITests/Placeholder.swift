import XCTest

final class ZooCLITestsPlaceholder: XCTestCase {
    func testNothing() {}
}
