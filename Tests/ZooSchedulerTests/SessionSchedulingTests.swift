import QwenZoo
import XCTest

/// The Swift API's sessions on one model run through the model's scheduler: concurrent sessions
/// share its steps, and each answers exactly what it answers alone.
final class SessionSchedulingTests: XCTestCase {
    func testConcurrentSessionsShareTheModelsSchedulerAndAnswerAsAlone() async throws {
        let zoo = try await SchedulerTest.model("nano-chat")
        let questions = ["Name three colours.", "What is two plus two?", "Say hello in French."]
        let options = GenerationOptions(maxTokens: 24, seed: 5, sampler: SchedulerTest.chains[1])
        var alone: [Response] = []
        for question in questions { alone.append(try await zoo.chat().reply(to: question, options: options)) }

        let scheduler = zoo.makeScheduler(SchedulerConfiguration(parallel: 4))
        XCTAssertTrue(zoo.scheduler === scheduler, "the sessions use the scheduler made for the model")
        let together = try await withThrowingTaskGroup(of: (Int, Response).self) { group in
            for (i, question) in questions.enumerated() {
                group.addTask { (i, try await zoo.chat().reply(to: question, options: options)) }
            }
            var responses = [Response?](repeating: nil, count: questions.count)
            for try await (i, response) in group { responses[i] = response }
            return responses.compactMap { $0 }
        }
        for (a, b) in zip(alone, together) {
            XCTAssertEqual(a.samples.map(\.tokens), b.samples.map(\.tokens))
            XCTAssertEqual(a.text, b.text)
        }
        XCTAssertGreaterThanOrEqual(scheduler.status().stepsByBatchSize.keys.max() ?? 0, 2, "the sessions ran batched")
        XCTAssertEqual(scheduler.status().running, 0)
    }
}
