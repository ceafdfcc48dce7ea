import QwenZoo
import XCTest
import ZooTestSupport

/// Qwen v1 (dynamic NTK fixes each sequence's RoPE at its prefill): prompts prefill whole, samples
/// prefill their own, and decode steps batch; results still equal each request alone.
final class QwenV1SchedulingTests: XCTestCase {
    func testConcurrentRequestsEqualTheirSoloRuns() async throws {
        let model = try Zoo.loadModel(directory: Fixtures.url("qwen-v1/v1-ntk-logn"))
        func scheduler(_ parallel: Int) -> BatchScheduler {
            BatchScheduler(model: model, tokenizer: nil, makeSampler: { try SamplerChain(stages: $0) },
                           configuration: SchedulerConfiguration(parallel: parallel, prefillChunk: 4))
        }
        var random = SeededRandom(seed: 11)
        let requests = (0..<6).map { i in
            EngineRequest(prompt: (0..<(5 + 4 * i)).map { _ in Int(random.next() % UInt64(model.vocabularySize)) },
                          sampler: SchedulerTest.chains[i % 4], seed: UInt64(i), maxTokens: 7, stopTokenIDs: [],
                          samples: i == 2 ? 2 : 1, topLogprobs: 2)
        }
        var alone: [[SampleRun]] = []
        for r in requests { alone.append(try await SchedulerTest.drain(scheduler(r.samples).submit(r), samples: r.samples)) }
        let shared = scheduler(8)
        let streams = try requests.map { try shared.submit($0) }
        for (i, stream) in streams.enumerated() {
            let runs = try await SchedulerTest.drain(stream, samples: requests[i].samples)
            SchedulerBatchInvarianceTests.assertSame(runs, alone[i], "request \(i)")
        }
        XCTAssertGreaterThan(shared.status().stepsByBatchSize.keys.max() ?? 0, 1)
    }
}
