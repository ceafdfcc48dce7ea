import Foundation
@testable import QwenZoo
import XCTest
import ZooTestSupport
import ZooTokenizers

/// The chat protocols send the question as Qwen's `model.chat(tokenizer, question, history=None)` does:
/// the ids equal `make_context`'s in Tests/Fixtures/variants/chat.json (from Qwen's own code).
final class ProtocolChatPromptTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let messages: [[String: String]]
            let ids: [Int]
        }
        let cases: [Case]
    }

    func testChatPromptIDsEqualMakeContext() throws {
        let tokenizer = try BytePairTokenizer(contentsOf: Fixtures.qwenTiktoken)
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Fixtures.url("variants/chat.json")))
        for name in ["v1-default-system", "v1-injection"] {
            let c = try XCTUnwrap(fixture.cases.first { $0.name == name })
            XCTAssertEqual(ProtocolPrompt.chatTokens(c.messages[0]["content"]!, tokenizer: tokenizer), c.ids, name)
        }
    }
}
