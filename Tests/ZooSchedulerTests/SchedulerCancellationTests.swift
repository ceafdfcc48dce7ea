import QwenZoo
import XCTest

/// A consumer that goes away frees its sequence's slot and memory within a step.
final class SchedulerCancellationTests: XCTestCase {
    private func long(_ zoo: LoadedModel) -> EngineRequest {
        EngineRequest(prompt: zoo.tokenizer.encode(SchedulerTest.texts[2], specialTokens: .asText),
                      sampler: SchedulerTest.greedy, seed: 0, maxTokens: 900, stopTokenIDs: [])
    }

    private func next(_ zoo: LoadedModel) -> EngineRequest {
        EngineRequest(prompt: zoo.tokenizer.encode(SchedulerTest.texts[4], specialTokens: .asText),
                      sampler: SchedulerTest.chains[2], seed: 9, maxTokens: 8, stopTokenIDs: [], topLogprobs: 0)
    }

    func testCancellingTheConsumingTaskFreesTheSlot() async throws {
        let zoo = try await SchedulerTest.model()
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: 1, prefixCacheEntries: 0))
        let stream = try scheduler.submit(long(zoo))
        let consumer = Task {
            var count = 0
            for try await _ in stream { count += 1 }
            return count
        }
        let running = await SchedulerTest.waitForStatus(scheduler) { $0.running == 1 && $0.kvBytesInUse > 0 }
        XCTAssertTrue(running)
        consumer.cancel()
        _ = try? await consumer.value
        let freed = await SchedulerTest.waitForStatus(scheduler) { $0.running == 0 && $0.kvBytesInUse == 0 }
        XCTAssertTrue(freed, "\(scheduler.status())")
        let runs = try await SchedulerTest.drain(scheduler.submit(next(zoo)))
        SchedulerBatchInvarianceTests.assertSame(runs, try await SchedulerTest.alone(zoo, next(zoo)), "the next request")
    }

    func testDroppingTheStreamFreesTheSlot() async throws {
        let zoo = try await SchedulerTest.model()
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: 1, prefixCacheEntries: 0))
        do {
            let stream = try scheduler.submit(long(zoo))
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
        }
        let freed = await SchedulerTest.waitForStatus(scheduler) { $0.running == 0 && $0.kvBytesInUse == 0 }
        XCTAssertTrue(freed, "\(scheduler.status())")
        let runs = try await SchedulerTest.drain(scheduler.submit(next(zoo)))
        XCTAssertEqual(runs[0].summary?.tokens.count, 8)
    }

    func testShutDownEndsRunningAndWaitingRequests() async throws {
        let zoo = try await SchedulerTest.model()
        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: 1))
        let running = try scheduler.submit(long(zoo)), waiting = try scheduler.submit(long(zoo))
        scheduler.shutDown()
        for stream in [running, waiting] {
            do {
                _ = try await SchedulerTest.drain(stream)
                XCTFail("a stream of a shut-down scheduler ended normally")
            } catch {
                XCTAssertTrue(error is CancellationError, "\(error)")
            }
        }
    }
}
