import XCTest

final class QwenChatPlaceholderTests: XCTestCase {
    func testNothing() {}
}
