import QwenZoo
import XCTest

/// A request's tokens and log-probabilities are the same, bit for bit, whether it runs alone or
/// batched with others, wherever it sits in the batch and however its prompt is chunked.
final class SchedulerBatchInvarianceTests: XCTestCase {
    /// Asserts two runs of one request streamed the same ids, text and log-probabilities (bits).
    static func assertSame(_ a: [SampleRun], _ b: [SampleRun], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, label, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.steps.map(\.id), y.steps.map(\.id), "\(label): ids", file: file, line: line)
            XCTAssertEqual(x.steps.map(\.text), y.steps.map(\.text), "\(label): text", file: file, line: line)
            XCTAssertEqual(x.logprobBits, y.logprobBits, "\(label): logprobs", file: file, line: line)
            XCTAssertEqual(x.summary?.tokens, y.summary?.tokens, label, file: file, line: line)
            XCTAssertEqual(x.summary?.text, y.summary?.text, label, file: file, line: line)
            XCTAssertEqual(x.summary?.finishReason, y.summary?.finishReason, label, file: file, line: line)
            XCTAssertNotNil(x.summary, label, file: file, line: line)
        }
    }

    /// Sixteen requests of mixed prompt lengths, seeds, chains, limits and logprob settings.
    private func requests(_ zoo: LoadedModel) -> [EngineRequest] {
        (0..<16).map { i in
            let text = String(repeating: SchedulerTest.texts[i % 8] + " ", count: 1 + i / 8)
            return EngineRequest(
                prompt: zoo.tokenizer.encode(text, specialTokens: .asText), sampler: SchedulerTest.chains[i % 4],
                seed: 1000 + UInt64(i), maxTokens: 8 + i % 7, stopTokenIDs: Set(zoo.model.endOfSequenceIDs),
                stopStrings: i % 5 == 0 ? ["\n\n", " the"] : [], topLogprobs: [3, 0, nil][i % 3])
        }
    }

    func testSixteenConcurrentRequestsEachReturnWhatTheyReturnAlone() async throws {
        let zoo = try await SchedulerTest.model()
        let requests = requests(zoo)
        var alone: [[SampleRun]] = []
        for request in requests { alone.append(try await SchedulerTest.alone(zoo, request)) }

        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: 16, prefillChunk: 32))
        let streams = try requests.map { try scheduler.submit($0) }
        let batched = try await withThrowingTaskGroup(of: (Int, [SampleRun]).self) { group in
            for (i, stream) in streams.enumerated() { group.addTask { (i, try await SchedulerTest.drain(stream)) } }
            var results = [[SampleRun]](repeating: [], count: streams.count)
            for try await (i, runs) in group { results[i] = runs }
            return results
        }
        for i in requests.indices { Self.assertSame(batched[i], alone[i], "request \(i)") }
        XCTAssertTrue(alone.contains { $0[0].steps.contains { $0.logprob != nil && !$0.topLogprobs.isEmpty } })
        let status = scheduler.status()
        XCTAssertGreaterThanOrEqual(status.stepsByBatchSize.keys.max() ?? 0, 6, "the requests really ran batched")
        XCTAssertEqual(status.running, 0)
        XCTAssertEqual(status.queued, 0)
    }

    func testPositionInTheBatchAndPrefillChunkingChangeNothing() async throws {
        let zoo = try await SchedulerTest.model()
        let target = EngineRequest(
            prompt: zoo.tokenizer.encode(SchedulerTest.texts[7], specialTokens: .asText), sampler: SchedulerTest.chains[1],
            seed: 42, maxTokens: 10, stopTokenIDs: [], topLogprobs: 2)
        let alone = try await SchedulerTest.alone(zoo, target)
        for (chunk, fillers) in [(1, 0), (3, 2), (7, 5), (1000, 3)] {
            let scheduler = zoo.makeScheduler(SchedulerConfiguration(
                parallel: 8, prefillChunk: chunk, prefixCacheEntries: 0, idlePrefillChunk: chunk))
            let others = try (0..<fillers).map { i in
                try scheduler.submit(EngineRequest(
                    prompt: zoo.tokenizer.encode(SchedulerTest.texts[i], specialTokens: .asText), sampler: SchedulerTest.chains[i % 4],
                    seed: UInt64(i), maxTokens: 12, stopTokenIDs: []))
            }
            let runs = try await SchedulerTest.drain(scheduler.submit(target))
            Self.assertSame(runs, alone, "chunk \(chunk), \(fillers) requests before it")
            for stream in others { _ = try await SchedulerTest.drain(stream) }
        }
    }

    func testLogprobsAreTheLogSoftmaxOfTheRawLogits() async throws {
        let zoo = try await SchedulerTest.model()
        let prompt = zoo.tokenizer.encode(SchedulerTest.texts[1], specialTokens: .asText)
        let runs = try await SchedulerTest.alone(zoo, EngineRequest(
            prompt: prompt, sampler: SchedulerTest.chains[1], seed: 3, maxTokens: 1, stopTokenIDs: [], topLogprobs: 5))
        let step = try XCTUnwrap(runs[0].steps.first)
        // The reference: float64 log-softmax over the tokenizer's ids (padding rows excluded).
        let logits = try zoo.model.forward(prompt, cache: zoo.model.makeCache(capacity: nil), logits: .last)
        let row = Array(logits.last.prefix(zoo.tokenizer.count)).map(Double.init)
        let top = row.max()!
        let normalizer = top + log(row.reduce(0) { $0 + exp($1 - top) })
        XCTAssertEqual(Double(try XCTUnwrap(step.logprob)), row[step.id] - normalizer, accuracy: 1e-5)
        let expectedTop = row.indices.sorted { row[$0] > row[$1] }.prefix(5)
        XCTAssertEqual(step.topLogprobs.map(\.id), Array(expectedTop))
        for entry in step.topLogprobs { XCTAssertEqual(Double(entry.logprob), row[entry.id] - normalizer, accuracy: 1e-5) }
    }
}
