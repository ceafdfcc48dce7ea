import XCTest

final class QwenCodePlaceholderTests: XCTestCase {
    func testNothing() {}
}
