import QwenZoo
import XCTest
import ZooAttention
import ZooTestSupport

/// Admission, limits, shared prefills and errors.
final class SchedulerBehaviourTests: XCTestCase {
    private func request(_ zoo: LoadedModel, _ text: String, maxTokens: Int, seed: UInt64 = 1, samples: Int = 1,
                         chain: [SamplerStageSpec] = SchedulerTest.chains[1]) -> EngineRequest {
        EngineRequest(prompt: zoo.tokenizer.encode(text, specialTokens: .asText), sampler: chain, seed: seed,
                      maxTokens: maxTokens, stopTokenIDs: [], samples: samples, topLogprobs: 1)
    }

    func testGreedyOutputEqualsLoadedModelGenerate() async throws {
        for name in ["nano-base", "nano-chat"] {
            let zoo = try await SchedulerTest.model(name)
            let variantRequest: VariantRequest = name == "nano-chat"
                ? .chat([ChatMessage(.user, "Name three colours.")]) : .completion(SchedulerTest.texts[3])
            let options = GenerationOptions(maxTokens: 20, seed: 0, sampler: SchedulerTest.greedy)
            let expected = try zoo.generate(variantRequest, options: options).samples[0]
            let plan = try zoo.plan(variantRequest)
            let scheduler = zoo.makeScheduler()
            let runs = try await SchedulerTest.drain(scheduler.submit(EngineRequest(
                prompt: plan.tokens, sampler: SchedulerTest.greedy, seed: 0, maxTokens: 20,
                stopTokenIDs: plan.stopTokenIDs, stopStrings: plan.stopStrings)))
            let summary = try XCTUnwrap(runs[0].summary)
            XCTAssertEqual(summary.tokens, expected.tokens, name)
            XCTAssertEqual(summary.text, expected.text, name)
            XCTAssertEqual(summary.finishReason, expected.finishReason, name)
            XCTAssertEqual(runs[0].steps.map(\.text).joined(), expected.text, "\(name): the streamed text adds up")
        }
    }

    func testSamplesShareOnePrefillAndEachEqualsItsOwnSeedAlone() async throws {
        let zoo = try await SchedulerTest.model()
        let counting = RowCountingModel(try XCTUnwrap(zoo.model as? any BatchedLanguageModel))
        let scheduler = BatchScheduler(model: counting, tokenizer: zoo.tokenizer, makeSampler: { try SamplerChain(stages: $0) },
                                       configuration: SchedulerConfiguration(prefillChunk: 4))
        let shared = request(zoo, SchedulerTest.texts[3], maxTokens: 6, seed: 10, samples: 3)
        let runs = try await SchedulerTest.drain(scheduler.submit(shared), samples: 3)
        XCTAssertEqual(counting.rows, shared.prompt.count + 3 * 5, "one prefill, then one row per sample per step")
        for i in 0..<3 {
            var single = shared
            single.samples = 1
            single.seed = 10 + UInt64(i)
            SchedulerBatchInvarianceTests.assertSame([runs[i]], try await SchedulerTest.alone(zoo, single), "sample \(i)")
        }
        XCTAssertNotEqual(runs[0].summary?.tokens, runs[1].summary?.tokens, "samples draw with their own seeds")
    }

    /// A prompt waits for nobody when no stream decodes (one step, up to `idlePrefillChunk`); beside a
    /// decoding stream it goes in `prefillChunk` pieces, so that stream's next token is never far off.
    func testPromptsPrefillWholeWhenIdleAndInChunksBesideRunningStreams() async throws {
        let zoo = try await SchedulerTest.model()
        let counting = RowCountingModel(try XCTUnwrap(zoo.model as? any BatchedLanguageModel))
        let scheduler = BatchScheduler(model: counting, tokenizer: zoo.tokenizer, makeSampler: { try SamplerChain(stages: $0) },
                                       configuration: SchedulerConfiguration(prefillChunk: 4, idlePrefillChunk: 64))
        let long = zoo.tokenizer.encode(SchedulerTest.texts[7], specialTokens: .asText)
        XCTAssertGreaterThan(long.count, 12)
        let first = EngineRequest(prompt: long, sampler: SchedulerTest.greedy, seed: 1, maxTokens: 40, stopTokenIDs: [])
        var running = try scheduler.submit(first).makeAsyncIterator()
        _ = try await running.next()  // its first token: it is decoding now
        XCTAssertEqual(counting.callEntries.first, [long.count], "alone, the prompt ran in one step")

        let second = EngineRequest(prompt: long + [11], sampler: SchedulerTest.greedy, seed: 2, maxTokens: 2, stopTokenIDs: [])
        let secondRuns = try await SchedulerTest.drain(scheduler.submit(second))
        while try await running.next() != nil {}
        let mixed = counting.callEntries.dropFirst().filter { $0.count > 1 }
        XCTAssertFalse(mixed.isEmpty, "the second prompt ran beside the first stream's decoding")
        for entries in mixed {
            XCTAssertTrue(entries.contains(1), "a decoding row beside the chunk: \(entries)")
            XCTAssertLessThanOrEqual(entries.max() ?? 0, 4, "a prompt chunk beside a decoding stream: \(entries)")
        }
        SchedulerBatchInvarianceTests.assertSame(secondRuns, try await SchedulerTest.alone(zoo, second), "chunked beside a stream")
    }

    func testAPromptLongerThanTheContextIsAnErrorNamingTheLimit() async throws {
        let zoo = try await SchedulerTest.model()
        let scheduler = zoo.makeScheduler()
        let limit = zoo.model.contextLength
        let long = EngineRequest(prompt: [Int](repeating: 100, count: limit + 1), sampler: SchedulerTest.greedy, seed: 0,
                                 maxTokens: 4, stopTokenIDs: [])
        XCTAssertThrowsError(try scheduler.submit(long)) { error in
            let error = error as? EngineRequestError
            XCTAssertEqual(error?.field, "prompt")
            XCTAssertTrue(error?.message.contains("\(limit)") == true, "\(String(describing: error))")
        }
        var bad = long
        bad.prompt = [1, zoo.model.vocabularySize]
        XCTAssertThrowsError(try scheduler.submit(bad)) { XCTAssertEqual(($0 as? EngineRequestError)?.field, "prompt") }
        bad.prompt = [1]
        bad.samples = 0
        XCTAssertThrowsError(try scheduler.submit(bad)) { XCTAssertEqual(($0 as? EngineRequestError)?.field, "n") }
        bad.samples = 1_000_000
        XCTAssertThrowsError(try scheduler.submit(bad)) { XCTAssertEqual(($0 as? EngineRequestError)?.field, "n") }
        bad.samples = 1
        bad.maxTokens = 1
        bad.topLogprobs = .max  // every id, most likely first
        let every = try await SchedulerTest.drain(scheduler.submit(bad))
        XCTAssertEqual(every[0].steps.first?.topLogprobs.count, zoo.tokenizer.count)
        bad.topLogprobs = nil
        bad.maxTokens = .max  // as much as the context allows, without overflowing anything
        var iterator = try scheduler.submit(bad).makeAsyncIterator()
        let first = try await iterator.next()
        XCTAssertNotNil(first)
        bad.maxTokens = 4
        bad.sampler = [SamplerStageSpec("top_p", value: 1.5)]
        XCTAssertThrowsError(try scheduler.submit(bad)) { XCTAssertTrue("\($0)".contains("top_p"), "\($0)") }
    }

    func testTheQueueLimitThrowsOverloadAndTheRestAreUnaffected() async throws {
        let zoo = try await SchedulerTest.model()
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: 1, maxQueue: 1))
        let a = request(zoo, SchedulerTest.texts[0], maxTokens: 60, seed: 1)
        let b = request(zoo, SchedulerTest.texts[1], maxTokens: 5, seed: 2)
        let first = try scheduler.submit(a)
        let second = try scheduler.submit(b)
        XCTAssertThrowsError(try scheduler.submit(b)) { error in
            XCTAssertEqual((error as? EngineOverloadError)?.limit, 1)
        }
        SchedulerBatchInvarianceTests.assertSame(try await SchedulerTest.drain(first), try await SchedulerTest.alone(zoo, a), "first")
        SchedulerBatchInvarianceTests.assertSame(try await SchedulerTest.drain(second), try await SchedulerTest.alone(zoo, b), "second")
    }

    func testAdmissionStaysWithinTheKVBudget() async throws {
        let zoo = try await SchedulerTest.model()
        let bytesPerToken = try XCTUnwrap(zoo.model.makeCache(capacity: 1) as? DenseKVCache).bytesPerToken
        let a = request(zoo, SchedulerTest.texts[0], maxTokens: 60, seed: 1)
        let b = request(zoo, SchedulerTest.texts[1], maxTokens: 60, seed: 2)
        let budget = (max(a.prompt.count, b.prompt.count) + 60) * bytesPerToken  // room for one at a time
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: 4, kvBudgetBytes: budget, prefixCacheEntries: 0))
        var tooBig = a
        tooBig.maxTokens = 300
        XCTAssertThrowsError(try scheduler.submit(tooBig)) { error in
            XCTAssertEqual((error as? EngineRequestError)?.field, "max_tokens")
            XCTAssertTrue("\(error)".contains("\(budget)"), "\(error)")
        }
        let first = try scheduler.submit(a)
        let second = try scheduler.submit(b)
        var iterator = first.makeAsyncIterator()
        _ = try await iterator.next()
        let status = scheduler.status()
        XCTAssertEqual(status.running, 1, "the second request waits for memory")
        XCTAssertEqual(status.queued, 1)
        XCTAssertLessThanOrEqual(status.kvBytesInUse, budget)
        while try await iterator.next() != nil {}
        SchedulerBatchInvarianceTests.assertSame(try await SchedulerTest.drain(second), try await SchedulerTest.alone(zoo, b), "second")
    }

    func testZeroTokensAndAPromptThatFillsTheContext() async throws {
        let zoo = try await SchedulerTest.model()
        let scheduler = zoo.makeScheduler()
        let none = try await SchedulerTest.drain(scheduler.submit(request(zoo, SchedulerTest.texts[0], maxTokens: 0, samples: 2)), samples: 2)
        for run in none {
            XCTAssertEqual(run.steps, [])
            XCTAssertEqual(run.summary?.finishReason, .length)
        }
        // A prompt of exactly the context (a fixture's 256): one id, then the context is full, as Generator does.
        let small = try Zoo.loadModel(directory: Qwen2Reference.directory("gqa-f32-untied"))
        let ids = BatchScheduler(model: small, tokenizer: nil, makeSampler: { try SamplerChain(stages: $0) })
        let full = EngineRequest(prompt: [Int](repeating: 5, count: small.contextLength), sampler: SchedulerTest.greedy,
                                 seed: 0, maxTokens: 5, stopTokenIDs: [])
        let runs = try await SchedulerTest.drain(ids.submit(full))
        XCTAssertEqual(runs[0].summary?.tokens.count, 1)
        XCTAssertEqual(runs[0].summary?.finishReason, .contextFull)
        var generator = Generator(model: small, stopIDs: [])
        XCTAssertEqual(try generator.generate(prompt: full.prompt, maxTokens: 5).tokens, runs[0].summary?.tokens)
    }
}
