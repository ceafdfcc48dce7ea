import Foundation
import QwenZoo
import Synchronization
import XCTest
import ZooTestSupport

/// What one sample of a request streamed.
struct SampleRun: Equatable {
    var steps: [TokenStep] = []
    var summary: SampleSummary?

    /// The log-probabilities' bits, so equality is bit for bit (not merely `==`).
    var logprobBits: [[UInt32]] {
        steps.map { step in [step.logprob?.bitPattern ?? 0] + step.topLogprobs.flatMap { [UInt32($0.id), $0.logprob.bitPattern] } }
    }
}

enum SchedulerTest {
    /// The bundled nano model (Qwen2 shape, the real Qwen vocabulary).
    static func model(_ name: String = "nano-base") async throws -> LoadedModel {
        try await Zoo.model(named: name, searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")])
    }

    static let greedy = [SamplerStageSpec("greedy")]
    static let chains: [[SamplerStageSpec]] = [
        greedy,
        [SamplerStageSpec("temperature", value: 1.3), SamplerStageSpec("top_k", value: 40)],
        [SamplerStageSpec("repetition_penalty", value: 1.2), SamplerStageSpec("temperature", value: 0.9),
         SamplerStageSpec("top_p", value: 0.9)],
        [SamplerStageSpec("min_p", value: 0.05), SamplerStageSpec("temperature", value: 1.0)],
    ]

    static let texts = [
        "Once upon a time", "The capital of France is", "def fibonacci(n):\n    ",
        "In 1905 Albert Einstein published four papers that changed physics. The first one",
        "1, 2, 3, 4,", "Q: What is seven times eight?\nA:", "北京是", "The quick brown fox jumps over the lazy dog. " +
            "The quick brown fox jumps over the lazy dog. And then",
    ]

    /// Collects every sample's events of one stream.
    static func drain(_ stream: AsyncThrowingStream<EngineEvent, any Error>, samples: Int = 1) async throws -> [SampleRun] {
        var runs = [SampleRun](repeating: SampleRun(), count: samples)
        for try await event in stream {
            switch event {
            case .token(let sample, let step): runs[sample].steps.append(step)
            case .finished(let sample, let summary):
                XCTAssertNil(runs[sample].summary, "sample \(sample) finished twice")
                runs[sample].summary = summary
            }
        }
        return runs
    }

    /// Runs `request` on a scheduler of its own: alone, with no prefix cache.
    static func alone(_ zoo: LoadedModel, _ request: EngineRequest) async throws -> [SampleRun] {
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: request.samples, prefixCacheEntries: 0))
        return try await drain(scheduler.submit(request), samples: request.samples)
    }

    /// Waits (bounded) until `condition` holds for the scheduler's status.
    static func waitForStatus(_ scheduler: BatchScheduler, timeout: Double = 20, _ condition: (EngineStatus) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(scheduler.status()) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// A batching model around a real one that counts the rows it runs.
final class RowCountingModel: BatchedLanguageModel, @unchecked Sendable {
    let inner: any BatchedLanguageModel
    private let counts = Mutex<(rows: Int, calls: Int, entries: [[Int]])>((0, 0, []))

    init(_ inner: any BatchedLanguageModel) { self.inner = inner }

    var vocabularySize: Int { inner.vocabularySize }
    var contextLength: Int { inner.contextLength }
    var endOfSequenceIDs: [Int] { inner.endOfSequenceIDs }
    func makeCache(capacity: Int?) -> any KVCache { inner.makeCache(capacity: capacity) }

    func forward(_ tokens: [Int], cache: any KVCache, logits: LogitsSelection) throws -> Logits {
        try forward(batch: [BatchEntry(tokens: tokens, cache: cache, logits: logits)])[0]!
    }

    func forward(batch: [BatchEntry]) throws -> [Logits?] {
        counts.withLock {
            $0.rows += batch.reduce(0) { $0 + $1.tokens.count }
            $0.calls += 1
            $0.entries.append(batch.map(\.tokens.count))
        }
        return try inner.forward(batch: batch)
    }

    var rows: Int { counts.withLock { $0.rows } }
    /// Each call's entries, as their token counts.
    var callEntries: [[Int]] { counts.withLock { $0.entries } }
}
