import XCTest

final class QwenBasePlaceholderTests: XCTestCase {
    func testNothing() {}
}
