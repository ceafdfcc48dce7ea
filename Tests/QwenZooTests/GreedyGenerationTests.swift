import QwenZoo
import XCTest
import ZooTestSupport

/// Greedy generation against transformers' `generate(do_sample=False)` on the fixture checkpoints.
final class GreedyGenerationTests: XCTestCase {
    func testGreedyContinuationsEqualTransformersGenerate() throws {
        var checked = 0
        for name in Qwen2Reference.checkpointNames {
            let model = try Zoo.loadModel(directory: Qwen2Reference.directory(name))
            for (index, reference) in try Qwen2Reference.load(name).cases.enumerated() {
                var generator = Generator(model: model)
                let result = try generator.generate(prompt: reference.ids, maxTokens: reference.greedy.max_new_tokens)
                XCTAssertEqual(result.tokens, reference.greedy.ids, "\(name) case \(index)")
                if reference.greedy.stopped_at_eos == true {
                    XCTAssertEqual(result.finishReason, .stopToken(reference.greedy.ids.last!))
                } else {
                    XCTAssertEqual(result.finishReason, .length)
                }
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 12)
    }

    func testStreamedTokensEqualTheResult() throws {
        let model = try Zoo.loadModel(directory: Qwen2Reference.directory("gqa-f32-untied"))
        var generator = Generator(model: model)
        var streamed: [Int] = []
        let result = try generator.generate(prompt: [1, 2, 3], maxTokens: 5) { streamed.append($0); return true }
        XCTAssertEqual(streamed, result.tokens)
        XCTAssertEqual(result.tokens.count, 5)
    }

    func testGenerationStopsWhenTheContextIsFull() throws {
        let model = try Zoo.loadModel(directory: Qwen2Reference.directory("gqa-f32-untied"))
        var generator = Generator(model: model, stopIDs: [])
        let prompt = [Int](repeating: 5, count: model.contextLength - 2)
        let result = try generator.generate(prompt: prompt, maxTokens: 10)
        XCTAssertEqual(result.finishReason, .contextFull)
        XCTAssertEqual(result.tokens.count, 3)
    }

    func testPromptLongerThanTheContextIsAnError() throws {
        let model = try Zoo.loadModel(directory: Qwen2Reference.directory("gqa-f32-untied"))
        var generator = Generator(model: model)
        let prompt = [Int](repeating: 5, count: model.contextLength + 1)
        XCTAssertThrowsError(try generator.generate(prompt: prompt, maxTokens: 1)) {
            XCTAssertTrue("\($0)".contains("context"), "\($0)")
        }
    }
}
