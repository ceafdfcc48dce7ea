import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// The public session API on the bundled tiny checkpoint: streaming, typed results, shared
/// weights across concurrent sessions, loading with progress.
final class APISessionTests: XCTestCase {
    let hello = "Hello, who are you?"

    func testChatStreamMatchesTheBlockingGenerator() async throws {
        let zoo = try await APITest.model("tiny-chat")
        let expected = try zoo.generate(.chat([ChatMessage(.user, hello)]))
        var options = GenerationOptions()
        options.includeTokenIDs = true
        let chat = zoo.chat()
        let (chunks, tokens, response) = try await APITest.drain(chat.respond(to: hello, options: options))
        let r = try XCTUnwrap(response)
        XCTAssertEqual(r.samples, expected.samples)
        XCTAssertEqual(r.promptTokens, expected.promptTokens)
        XCTAssertEqual(chunks.joined(), r.text)
        XCTAssertEqual(tokens, r.samples[0].tokens)
        XCTAssertEqual(r.finishReason, .stopToken(zoo.tokenizer.specialTokenID("<|im_end|>")!))
        XCTAssertEqual(r.usage, TokenUsage(promptTokens: r.promptTokens.count, cachedPromptTokens: 0,
                                           generatedTokens: r.samples[0].tokens.count))
        XCTAssertGreaterThan(r.timing.total, .zero)
        XCTAssertLessThanOrEqual(r.timing.timeToFirstToken, r.timing.total)
        XCTAssertGreaterThan(r.timing.tokensPerSecond, 0)
        let messages = await chat.messages
        XCTAssertEqual(messages, [ChatMessage(.user, hello), ChatMessage(.assistant, r.text)])
    }

    func testTextChunksNeverSplitACharacter() async throws {
        // A random model writes arbitrary bytes; every chunk must still be valid text on its own.
        let zoo = try await APITest.model("tiny-base", ["max_tokens=64"])
        let session = zoo.session()
        var options = GenerationOptions(seed: 3, sampler: APITest.sampling)
        options.includeTokenIDs = true
        let (chunks, tokens, response) = try await APITest.drain(session.stream(.completion("日本語 ü"), options: options))
        let r = try XCTUnwrap(response)
        for chunk in chunks {
            XCTAssertEqual(String(decoding: Array(chunk.utf8), as: UTF8.self), chunk)
        }
        XCTAssertEqual(chunks.joined(), r.text)
        let stop: Int? = if case .stopToken(let id) = r.finishReason { id } else { nil }
        // The text is decode(skip_special_tokens=True), as the fixture's reference `text` is.
        let shown = (stop == nil ? tokens : Array(tokens.dropLast())).filter { !zoo.tokenizer.isSpecial($0) }
        XCTAssertEqual(try zoo.tokenizer.decode(shown), r.text)
    }

    func testConcurrentSessionsOnSharedWeightsEqualSequentialRuns() async throws {
        let zoo = try await APITest.model("tiny-base", ["max_tokens=24"])
        let prompts = ["def add(a, b):", "Once upon a time", "import numpy as np"]
        func run(_ i: Int) async throws -> Response {
            let session = zoo.session(options: GenerationOptions(seed: UInt64(10 + i), sampler: APITest.sampling))
            XCTAssertTrue(session.model === zoo)  // one model object: no weights were copied
            return try await session.complete(prompts[i])
        }
        var sequential: [Response] = []
        for i in prompts.indices { sequential.append(try await run(i)) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, Response).self) { group in
            for i in prompts.indices { group.addTask { (i, try await run(i)) } }
            var out: [Int: Response] = [:]
            for try await (i, r) in group { out[i] = r }
            return prompts.indices.map { out[$0]! }
        }
        for i in prompts.indices {
            XCTAssertEqual(concurrent[i].samples, sequential[i].samples, "prompt \(i)")
        }
        XCTAssertNotEqual(sequential[0].samples[0].tokens, sequential[1].samples[0].tokens)
    }

    func testConcurrentRequestsOnOneSessionAreServedInTurn() async throws {
        let zoo = try await APITest.model("tiny-base", ["max_tokens=12"])
        let session = zoo.session(options: GenerationOptions(seed: 5, sampler: APITest.sampling))
        let first = session.stream(.completion("alpha beta"))
        let second = session.stream(.completion("gamma delta"))
        async let a = APITest.drain(first)
        async let b = APITest.drain(second)
        let (ra, rb) = try await (a, b)
        let solo = zoo.session(options: GenerationOptions(seed: 5, sampler: APITest.sampling))
        let ea = try await solo.complete("alpha beta")
        let eb = try await solo.complete("gamma delta")
        XCTAssertEqual(ra.response?.samples, ea.samples)
        XCTAssertEqual(rb.response?.samples, eb.samples)
    }

    func testTypedResultsForCodeAndMath() async throws {
        let coder = try await APITest.model("tiny-code").session()
        let infill = try await coder.infill(prefix: "def add(a, b):\n    return ", suffix: "\n")
        XCTAssertEqual(infill.response.output, .code(infill.code))
        let completion = try await coder.completeCode("def add(a, b):")
        XCTAssertEqual(completion.response.output, .code(completion.code))

        let math = try await APITest.model("tiny-math", ["variant.votes=3", "max_tokens=8"])
            .session(options: GenerationOptions(sampler: APITest.sampling))
        let solved = try await math.solve("What is 2 + 3?")
        XCTAssertEqual(solved.answer.samples, 3)
        XCTAssertEqual(solved.response.samples.count, 3)
        XCTAssertEqual(solved.response.usage.generatedTokens, solved.response.samples.map(\.tokens.count).reduce(0, +))
        XCTAssertEqual(solved.solution, solved.response.samples[0].text)

        let chatModel = try await APITest.model("tiny-chat").session()
        do {
            _ = try await chatModel.solve("What is 2 + 3?")
            XCTFail("a chat variant gives no boxed answer")
        } catch {
            XCTAssertTrue("\(error)".contains("not problem requests"), "\(error)")
        }
    }

    func testLoadingReportsProgressAndManifestErrorsArriveAsErrors() async throws {
        let reports = ReportLog()
        let zoo = try await Zoo.model(named: "tiny-chat", searchPaths: [APITest.zooFolder]) { reports.append($0) }
        let stages = reports.all.map(\.stage)
        XCTAssertEqual(stages.first, .manifest)
        XCTAssertEqual(stages.last, .ready)
        let size = try FileManager.default.attributesOfItem(
            atPath: Fixtures.url("zoo-tiny/model.safetensors").path)[.size] as! NSNumber
        let weights = reports.all.filter { $0.stage == .weights }
        XCTAssertEqual(weights.last?.completedBytes, size.intValue)
        XCTAssertEqual(weights.last?.totalBytes, size.intValue)
        XCTAssertEqual(weights.last?.fractionCompleted, 1)
        XCTAssertEqual(zoo.manifest.name, "tiny-chat")

        let fromFile = try await Zoo.model(contentsOf: APITest.zooFolder.appendingPathComponent("tiny-code.yaml"))
        XCTAssertEqual(fromFile.manifest.variant.name, "code")
        var manifest = zoo.manifest
        manifest.maxTokens = 2
        let inCode = try await Zoo.model(manifest)
        let reply = try await inCode.chat().reply(to: hello)
        XCTAssertLessThanOrEqual(reply.samples[0].tokens.count, 2)

        do {
            _ = try await Zoo.model(named: "tiny-chta", searchPaths: [APITest.zooFolder])
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue("\(error)".contains("did you mean \"tiny-chat\""), "\(error)")
        }
    }
}

/// Progress reports, gathered from the loading thread.
final class ReportLog: Sendable {
    private let reports = Mutex<[LoadProgress]>([])
    func append(_ p: LoadProgress) { reports.withLock { $0.append(p) } }
    var all: [LoadProgress] { reports.withLock { $0 } }
}

import Synchronization
