import XCTest

final class ZooSamplersPlaceholderTests: XCTestCase {
    func testNothing() {}
}
