import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Cancelling the consumer, or dropping the stream, stops generation before the next forward
/// pass and frees the session at once.
final class APICancellationTests: XCTestCase {
    /// A base-variant model that never stops by itself within the test, slowed to 20 ms a step.
    private func slowModel() async throws -> (LoadedModel, CountingModel) {
        let zoo = try await APITest.model("tiny-base", ["max_tokens=200", "stop.ids=[]"])
        let counting = CountingModel(zoo.model, delay: .milliseconds(20))
        let plain = zoo.replacingModel(counting)
        return (plain, counting)
    }

    /// Generation with no stop ids at all (the base variant's end-of-text ids removed).
    private var endless: GenerationOptions {
        var o = GenerationOptions(maxTokens: 200, seed: 1, sampler: APITest.sampling)
        o.includeTokenIDs = true
        return o
    }

    func testCancellingTheConsumerStopsWithinOneStep() async throws {
        let (zoo, counting) = try await slowModel()
        let session = zoo.session()
        let stream = session.stream(.completion("Once upon a time"), options: endless)
        let cancelledAt = Mutex<Int?>(nil)
        let consumer = Task {
            var seen = 0
            for try await event in stream {
                if case .token = event { seen += 1 }
                if seen == 3 {
                    cancelledAt.withLock { $0 = counting.forwardCount }
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }
            return seen
        }
        let seen = try await consumer.value
        XCTAssertEqual(seen, 3, "no event arrives after cancellation")
        let atCancel = try XCTUnwrap(cancelledAt.withLock { $0 })

        // The next request on the same session starts at once: at most the one forward pass that
        // was running when the consumer cancelled comes between them.
        let clock = ContinuousClock()
        let start = clock.now
        let next = try await session.complete("A different prompt entirely", options: GenerationOptions(maxTokens: 2))
        XCTAssertEqual(next.samples[0].tokens.count, 2)
        XCTAssertLessThan(clock.now - start, .seconds(2))
        let nextPrefill = try XCTUnwrap(counting.firstPrefill(after: atCancel))
        XCTAssertLessThanOrEqual(nextPrefill - 1 - atCancel, 1, "forward passes after cancellation")
    }

    func testDroppingTheStreamStopsGeneration() async throws {
        let (zoo, counting) = try await slowModel()
        let session = zoo.session()
        var atDrop = 0
        do {
            var stream: AsyncThrowingStream<GenerationEvent, any Error>? = session.stream(.completion("Once"), options: endless)
            var iterator = stream!.makeAsyncIterator()
            var seen = 0
            while seen < 2, let event = try await iterator.next() {
                if case .token = event { seen += 1 }
            }
            atDrop = counting.forwardCount
            stream = nil
            _ = iterator  // the iterator goes out of scope here too
        }
        // Give a runaway generation time to show itself; a stopped one stays put.
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertLessThanOrEqual(counting.forwardCount - atDrop, 1)
        let next = try await session.complete("Again", options: GenerationOptions(maxTokens: 1))
        XCTAssertEqual(next.samples[0].tokens.count, 1)
    }

    func testCancellingAChatTurnLeavesTheHistoryUnchanged() async throws {
        let (zoo, _) = try await slowModel()
        let chat = ChatSession(model: zoo, system: "Be brief.")
        let stream = chat.respond(to: "Tell me a long story", options: endless)
        let task = Task {
            for try await event in stream {
                if case .token = event { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        _ = try? await task.value
        let messages = await chat.messages
        XCTAssertEqual(messages, [ChatMessage(.system, "Be brief.")])
    }

    func testAWaitingRequestCanBeCancelled() async throws {
        let (zoo, _) = try await slowModel()
        let session = zoo.session()
        let running = session.stream(.completion("first"), options: GenerationOptions(maxTokens: 10))
        let waiting = Task { try await APITest.drain(session.stream(.completion("second"))) }
        waiting.cancel()
        _ = try? await waiting.value
        let first = try await APITest.drain(running)
        XCTAssertEqual(first.response?.samples[0].tokens.count, 10)
    }
}

import Synchronization
