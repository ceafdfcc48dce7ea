import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Long prompts and padded vocabularies: never silently wrong output.
final class ContextPolicyTests: XCTestCase {
    private func load(_ overrides: [String]) throws -> LoadedModel {
        let loader = ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
        return try LoadedModel.load(try loader.load("tiny-base", overrides: overrides).manifest)
    }

    private let longPrompt = String(repeating: "def add(a, b): return a + b\n", count: 10)

    func testPromptLongerThanTheContextIsAnErrorByDefault() throws {
        let zoo = try load(["architecture.context_length=32"])
        XCTAssertGreaterThan(zoo.tokenizer.encode(longPrompt).count, 32)
        XCTAssertThrowsError(try zoo.generate(.completion(longPrompt))) {
            XCTAssertTrue("\($0)".contains("context holds 32"), "\($0)")
        }
    }

    func testTruncateLeftKeepsTheNewestTokensAndWarns() throws {
        let zoo = try load(["architecture.context_length=32", "context_overflow=truncate-left", "max_tokens=4"])
        let ids = zoo.tokenizer.encode(longPrompt)
        let completion = try zoo.generate(.completion(longPrompt))
        XCTAssertEqual(completion.promptTokens, Array(ids.suffix(28)))
        XCTAssertEqual(completion.warnings.count, 1)
        XCTAssertTrue(completion.warnings[0].contains("kept the last 28"), completion.warnings[0])
        XCTAssertEqual(completion.samples[0].tokens.count, 4)
    }

    func testPaddingRowsPastTheTokenizerAreNeverSampled() throws {
        let model = try Zoo.loadModel(directory: Qwen2Reference.directory("gqa-f32-untied"))
        let prompt = [1, 2, 3]
        var free = Generator(model: model, stopIDs: [])
        let chosen = try free.generate(prompt: prompt, maxTokens: 8).tokens
        // Pretend the tokenizer ends just below the largest id the model picked: those rows are padding.
        let limit = chosen.max()!
        var masked = Generator(model: model, stopIDs: [], firstUnusableID: limit)
        let result = try masked.generate(prompt: prompt, maxTokens: 8)
        XCTAssertTrue(result.tokens.allSatisfy { $0 < limit }, "\(result.tokens)")
    }

    func testQuantizeInTheManifestReachesTheWeights() throws {
        let ids = [286, 355, 341, 11]
        var logits: [String: [Float]] = [:]
        for quantize in ["none", "q8_0", "q4_0"] {
            let zoo = try load(quantize == "none" ? [] : ["weights.quantize=\(quantize)"])
            logits[quantize] = try zoo.model.forward(ids, cache: zoo.model.makeCache(capacity: nil), logits: .all).values
        }
        XCTAssertNotEqual(logits["q8_0"], logits["none"])
        XCTAssertNotEqual(logits["q4_0"], logits["q8_0"])
    }

    func testEmptyPromptIsAnErrorNotACrash() throws {
        let zoo = try load([])
        XCTAssertThrowsError(try zoo.generate(.completion(""))) { XCTAssertTrue($0 is EmptyPromptError, "\($0)") }
        XCTAssertThrowsError(try zoo.model.forward([], cache: zoo.model.makeCache(capacity: nil), logits: .last))
    }
}
