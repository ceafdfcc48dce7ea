import QwenZoo
import XCTest

/// A request that shares a prefix with a finished one reuses its rows, and its output does not change.
final class PrefixCacheTests: XCTestCase {
    func testTheNextTurnReusesThePreviousRowsAndStaysBitIdentical() async throws {
        let zoo = try await SchedulerTest.model()
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(prefillChunk: 5, idlePrefillChunk: 5))
        let system = zoo.tokenizer.encode(SchedulerTest.texts[7], specialTokens: .asText)
        let first = EngineRequest(prompt: system, sampler: SchedulerTest.chains[1], seed: 5, maxTokens: 4, stopTokenIDs: [],
                                  topLogprobs: 2)
        let firstRuns = try await SchedulerTest.drain(scheduler.submit(first))
        XCTAssertEqual(firstRuns[0].summary?.cachedPromptTokens, 0)
        let status = scheduler.status()
        XCTAssertEqual(status.running, 0)
        XCTAssertGreaterThan(status.kvBytesInUse, 0, "the finished sequence's rows stay in the prefix cache")

        // The next turn: the prompt and three of the four generated ids (the cache holds those), then more.
        let generated = try XCTUnwrap(firstRuns[0].summary?.tokens)
        let follow = system + generated.prefix(3) + zoo.tokenizer.encode(" and more", specialTokens: .asText)
        // The second time, the first follow-up's own rows cover all of the prompt but its last id.
        for (chain, cached) in [(SchedulerTest.greedy, system.count + 3), (SchedulerTest.chains[2], follow.count - 1)] {
            let next = EngineRequest(prompt: follow, sampler: chain, seed: 6, maxTokens: 6, stopTokenIDs: [], topLogprobs: 3)
            let hit = try await SchedulerTest.drain(scheduler.submit(next))
            XCTAssertEqual(hit[0].summary?.cachedPromptTokens, cached)
            SchedulerBatchInvarianceTests.assertSame(hit, try await SchedulerTest.alone(zoo, next), "\(chain)")
        }
        // Another request with the same system prompt but a different question.
        let sibling = EngineRequest(prompt: system + zoo.tokenizer.encode(" Why?", specialTokens: .asText),
                                    sampler: SchedulerTest.chains[3], seed: 7, maxTokens: 5, stopTokenIDs: [])
        let hit = try await SchedulerTest.drain(scheduler.submit(sibling))
        XCTAssertEqual(hit[0].summary?.cachedPromptTokens, system.count)
        SchedulerBatchInvarianceTests.assertSame(hit, try await SchedulerTest.alone(zoo, sibling), "sibling")
    }

    func testTheBudgetEvictsThePrefixCacheBeforeRefusingWork() async throws {
        let zoo = try await SchedulerTest.model()
        let prompt = zoo.tokenizer.encode(SchedulerTest.texts[3], specialTokens: .asText)
        let request = EngineRequest(prompt: prompt, sampler: SchedulerTest.greedy, seed: 0, maxTokens: 10, stopTokenIDs: [])
        let probe = zoo.makeScheduler()
        _ = try await SchedulerTest.drain(probe.submit(request))
        let entryBytes = probe.status().kvBytesInUse
        // Room for one running request and nothing else: each new request evicts the last one's rows.
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(kvBudgetBytes: entryBytes + entryBytes / 2))
        for seed in 0..<3 {
            var other = request
            other.prompt = zoo.tokenizer.encode(SchedulerTest.texts[seed], specialTokens: .asText)
            let runs = try await SchedulerTest.drain(scheduler.submit(other))
            XCTAssertEqual(runs[0].summary?.tokens.count, 10)
            XCTAssertLessThanOrEqual(scheduler.status().kvBytesInUse, entryBytes + entryBytes / 2)
        }
    }
}
