import QwenZoo
import XCTest

/// Variants own the request a plain prompt stands for (issue 21): no caller switches on variant names.
final class VariantRequestTests: XCTestCase {
    /// A variant that says nothing about prompts: the protocol's default.
    struct Echo: Variant {
        func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
            PromptPlan(tokens: [1], stopTokenIDs: [])
        }
        func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput { .text(generated) }
    }

    func testEachVariantTurnsAPromptIntoItsOwnRequest() async throws {
        let chat = try await APITest.model("nano-chat")
        XCTAssertEqual(chat.variant.request(forPrompt: "hi"), .chat([ChatMessage(.user, "hi")]))
        let math = try await APITest.model("nano-math")
        XCTAssertEqual(math.variant.request(forPrompt: "1+1?"), .problem("1+1?"))
        let base = try await APITest.model("nano-base")
        XCTAssertEqual(base.variant.request(forPrompt: "Once"), .completion("Once"))
        XCTAssertEqual(Echo().request(forPrompt: "x"), .completion("x"))
        XCTAssertNil(Echo().historyBudget)
    }

    func testLimitsComeFromOptionsThenManifestThenDefaults() async throws {
        let chat = try await APITest.model("nano-chat", ["max_tokens=null"])
        XCTAssertEqual(chat.limits(for: GenerationOptions()), DecodeLoop.Limits(maxTokens: GenerationDefaults.maxTokens, seed: 0))
        XCTAssertEqual(GenerationDefaults.maxTokens, 512, "Manifest.maxTokens: nil means 512")
        let seeded = try await APITest.model("nano-chat", ["seed=7"])
        XCTAssertEqual(seeded.limits(for: GenerationOptions()), DecodeLoop.Limits(maxTokens: 128, seed: 7))
        XCTAssertEqual(seeded.limits(for: GenerationOptions(maxTokens: 3, seed: 1)), DecodeLoop.Limits(maxTokens: 3, seed: 1))
        let completion = try seeded.generate(.chat([ChatMessage(.user, "What is the capital of Japan?")]))
        XCTAssertEqual(completion.limits, DecodeLoop.Limits(maxTokens: 128, seed: 7), "what the run used")
    }
}
