import Foundation
import QwenZoo
import XCTest

/// A ``ChatSession`` that outgrows its window drops its oldest turns at once, says so in that
/// response, and keeps reusing its prompt cache afterwards (issue 19, bugs 3 and 4).
final class ChatWindowTests: XCTestCase {
    func testTheSessionDropsOldTurnsOnceAndKeepsReusingItsCache() async throws {
        let zoo = try await APITest.model("nano-chat", ["variant.history_budget=160"])
        let window = ConversationWindow(model: zoo, options: GenerationOptions())
        XCTAssertEqual(window.tokens, 160, "the variant's budget is smaller than 1024 - 128")
        let chat = zoo.chat()
        var drops: [Int] = []
        var reusedAfterDrop: [Int] = []
        for turn in 0..<14 {
            let before = await chat.messages
            let response = try await chat.reply(to: "What is the capital of France?")
            XCTAssertLessThanOrEqual(response.usage.promptTokens, window.tokens, "turn \(turn)")
            if response.warnings.contains(where: { $0.contains("dropped the oldest") }) {
                drops.append(turn)
                let after = await chat.messages
                XCTAssertLessThan(after.count, before.count + 2, "turns were removed")
                // What remains fits in half the window, so the next turns append to it.
                XCTAssertLessThanOrEqual(try window.length(of: Array(after.dropLast())), window.tokens / 2)
            } else if let last = drops.last, turn == last + 1 {
                reusedAfterDrop.append(response.usage.cachedPromptTokens)
            }
        }
        XCTAssertFalse(drops.isEmpty, "14 turns of ~25 tokens outgrow 160 tokens")
        XCTAssertTrue(reusedAfterDrop.allSatisfy { $0 > 0 }, "\(reusedAfterDrop)")
        XCTAssertFalse(reusedAfterDrop.isEmpty)
    }

    func testADroppedHistoryAnswersAsAFreshRequestWouldAfterIt() async throws {
        let zoo = try await APITest.model("nano-chat", ["variant.history_budget=160"])
        let chat = zoo.chat()
        var reply = ""
        var history: [ChatMessage] = []
        for _ in 0..<10 {
            history = await chat.messages
            reply = try await chat.reply(to: "What is 7 times 8?").text
        }
        // The cached session's last turn equals a one-shot generation of the same (trimmed) conversation.
        let kept = await chat.messages
        XCTAssertLessThanOrEqual(kept.count, history.count + 2)
        let fresh = try zoo.generate(.chat(Array(kept.dropLast())))
        XCTAssertEqual(fresh.samples[0].text, reply)
    }
}
