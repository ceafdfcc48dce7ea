import XCTest

final class ZooModelsTestsPlaceholder: XCTestCase {
    func testNothing() {}
}
