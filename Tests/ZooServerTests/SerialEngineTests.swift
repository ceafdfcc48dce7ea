import QwenZoo
import XCTest
@testable import ZooServer

final class SerialEngineTests: XCTestCase {
    /// A request that would run long: the end-of-text id banned, 900 tokens.
    private func longRequest(_ zoo: ZooModel) -> EngineRequest {
        EngineRequest(prompt: zoo.tokenizer.encode("The"), sampler: [SamplerStageSpec("logit_bias", ["1536": .number(-100)])],
                      seed: 0, maxTokens: 900, stopTokenIDs: [])
    }

    func testAFullQueueIsRefusedWithRetryAfter() async throws {
        let zoo = try ServerTest.model("nano-base").zoo
        let engine = SerialEngine(zoo: zoo, maxQueue: 0, kvBudgetBytes: 0)
        defer { engine.stop() }
        let running = try engine.submit(longRequest(zoo))
        var iterator = running.makeAsyncIterator()
        _ = try await iterator.next()  // it runs
        XCTAssertThrowsError(try engine.submit(longRequest(zoo))) { error in
            let api = APIError.from(error)
            XCTAssertEqual(api.status, 429)
            XCTAssertEqual(api.retryAfter, 1)
            XCTAssertEqual(api.response.headers[.retryAfter], "1")
        }
    }

    func testDroppingAStreamFreesTheSlotAndTheNextRequestRuns() async throws {
        let zoo = try ServerTest.model("nano-base").zoo
        let engine = SerialEngine(zoo: zoo, maxQueue: 4, kvBudgetBytes: 0)
        defer { engine.stop() }
        let request = longRequest(zoo)
        let consumer = Task {
            var seen = 0
            for try await _ in try engine.submit(request) {
                seen += 1
                if seen == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return seen
        }
        let seen = try await consumer.value
        XCTAssertLessThan(seen, 900)
        for _ in 0..<200 where engine.status().running > 0 { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(engine.status().running, 0, "the cancelled sequence left")
        var short = longRequest(zoo)
        short.maxTokens = 4
        var tokens = 0
        for try await event in try engine.submit(short) { if case .token = event { tokens += 1 } }
        XCTAssertEqual(tokens, 4)
    }

    func testSamplesAndLogprobsFollowTheContract() async throws {
        let zoo = try ServerTest.model("nano-base").zoo
        let engine = SerialEngine(zoo: zoo, maxQueue: 4, kvBudgetBytes: 0)
        defer { engine.stop() }
        let prompt = zoo.tokenizer.encode("The capital of France is")
        let sampler = [SamplerStageSpec("temperature", value: 1.0)]
        var request = EngineRequest(prompt: prompt, sampler: sampler, seed: 5, maxTokens: 6, stopTokenIDs: [], samples: 3, topLogprobs: 2)
        var together: [Int: [Int]] = [:]
        for try await event in try engine.submit(request) {
            if case .token(let sample, let step) = event {
                together[sample, default: []].append(step.id)
                XCTAssertEqual(step.topLogprobs.count, 2)
                XCTAssertGreaterThanOrEqual(step.topLogprobs[0].logprob, step.topLogprobs[1].logprob)
                XCTAssertLessThanOrEqual(step.logprob ?? 1, 0)
            }
        }
        for index in 0..<3 {
            request.samples = 1
            request.seed = 5 + UInt64(index)
            var alone: [Int] = []
            for try await event in try engine.submit(request) { if case .token(_, let step) = event { alone.append(step.id) } }
            let expected = try zoo.sample(PromptPlan(tokens: prompt, stopTokenIDs: []),
                                          chain: zoo.manifest.samplerChain(sampler), seed: 5 + UInt64(index), maxTokens: 6).tokens
            XCTAssertEqual(together[index], alone, "sample \(index) of n=3 is the request alone with seed + \(index)")
            XCTAssertEqual(alone, expected, "and what ZooModel.sample draws")
        }
    }
}
