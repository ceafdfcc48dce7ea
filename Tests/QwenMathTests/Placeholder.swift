import XCTest

final class QwenMathPlaceholderTests: XCTestCase {
    func testNothing() {}
}
