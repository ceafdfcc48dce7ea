import Foundation
import XCTest
import ZooCore
import ZooRemote
import ZooSamplers
import ZooScheduler
import ZooTestSupport
import ZooTokenizers

/// The remote engine against `scripts/fake_openai.py`, which answers a prompt with its ids reversed
/// (sample i rotated by i) and misbehaves on purpose when the model id says so.
final class OpenAIEngineTests: XCTestCase {
    static let tokenizer = Result { try BytePairTokenizer(contentsOf: Fixtures.qwenTiktoken) }
    // "Hello" " world" "<|im_end|>" (the real Qwen vocabulary).
    static let hello = 9707, world = 1879, imEnd = 151645

    var server: ScriptServer!
    var directory: URL!

    override func setUpWithError() throws {
        directory = try Fixtures.temporaryDirectory("zoo-remote")
        server = try ScriptServer(script: "fake_openai.py", [], directory: directory)
    }

    override func tearDown() {
        server?.stop()
    }

    func engine(_ model: String, url: String? = nil, timeout: Double = 10, notices: NoticeLog? = nil) throws -> OpenAIEngine {
        let endpoint = OpenAIEndpoint(url: url ?? server.endpoint, model: model, maxConcurrency: 2, timeout: timeout)
        return OpenAIEngine(endpoint: endpoint, tokenizer: try Self.tokenizer.get()) { notices?.add($0) }
    }

    func request(_ outputIDs: [Int], chain: [SamplerStageSpec] = [], maxTokens: Int = 16, samples: Int = 1,
                 stopStrings: [String] = [], stopTokenIDs: Set<Int> = [OpenAIEngineTests.imEnd]) -> EngineRequest {
        EngineRequest(prompt: outputIDs.reversed(), sampler: chain, seed: 7, maxTokens: maxTokens,
                      stopTokenIDs: stopTokenIDs, stopStrings: stopStrings, samples: samples)
    }

    /// Every event of a stream, or the error that ended it.
    func collect(_ stream: AsyncThrowingStream<EngineEvent, any Error>) async -> ([EngineEvent], (any Error)?) {
        await Self.collect(stream)
    }

    static func collect(_ stream: AsyncThrowingStream<EngineEvent, any Error>) async -> ([EngineEvent], (any Error)?) {
        var events: [EngineEvent] = []
        do {
            for try await event in stream { events.append(event) }
            return (events, nil)
        } catch {
            return (events, error)
        }
    }

    var lastBody: [String: Any] {
        get throws {
            let line = try XCTUnwrap(server.requests.last)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    // MARK: - Requests and outputs

    func testSendsIDsAndTheChainAndReadsStopsLocally() async throws {
        let chain = [SamplerStageSpec("repetition_penalty", value: 1.05), SamplerStageSpec("temperature", value: 0.7),
                     SamplerStageSpec("top_k", value: 20), SamplerStageSpec("top_p", value: 0.8)]
        let (events, error) = await collect(try engine("good").submit(request([Self.hello, Self.world, Self.imEnd, Self.hello], chain: chain)))
        XCTAssertNil(error)
        XCTAssertEqual(events, [
            .token(sample: 0, TokenStep(id: Self.hello, text: "Hello")),
            .token(sample: 0, TokenStep(id: Self.world, text: " world")),
            .token(sample: 0, TokenStep(id: Self.imEnd, text: "")),
            .finished(sample: 0, SampleSummary(tokens: [Self.hello, Self.world, Self.imEnd], text: "Hello world",
                                               finishReason: .stopToken(Self.imEnd), cachedPromptTokens: 0)),
        ])
        let body = try lastBody
        XCTAssertEqual(body["prompt"] as? [Int], [Self.hello, Self.imEnd, Self.world, Self.hello])
        XCTAssertEqual(body["model"] as? String, "good")
        XCTAssertEqual(body["temperature"] as? Double, 0.7)
        XCTAssertEqual(body["top_k"] as? Int, 20)
        XCTAssertEqual(body["top_p"] as? Double, 0.8)
        XCTAssertEqual(body["repetition_penalty"] as? Double, 1.05)
        XCTAssertEqual(body["samplers"] as? [String], ["penalties", "temperature", "top_k", "top_p"])
        XCTAssertEqual(body["seed"] as? Int, 7)
        XCTAssertEqual(body["n"] as? Int, 1)
        XCTAssertEqual(body["max_tokens"] as? Int, 16)
        XCTAssertEqual(body["stop_token_ids"] as? [Int], [Self.imEnd])
        XCTAssertNil(body["ignore_eos"], "llama-server bans its end-of-generation ids under ignore_eos")
        XCTAssertEqual(body["stream"] as? Bool, true)
    }

    /// Found running scripts/test-remote-llama.sh against llama-server: its `ignore_eos` bans the
    /// end-of-generation ids, so a chat model there could never end its turn. It is sent only when
    /// the request has no stop ids, where not stopping at the remote's end of sequence is the point.
    func testIgnoreEOSIsSentOnlyWithoutStopIDs() async throws {
        _ = await collect(try engine("good").submit(request([Self.hello, Self.world], stopTokenIDs: [])))
        let body = try lastBody
        XCTAssertEqual(body["ignore_eos"] as? Bool, true)
        XCTAssertNil(body["stop_token_ids"])
    }

    func testStopStringsAndMaxTokensEndSamplesAsLocally() async throws {
        let (stopped, _) = await collect(try engine("good").submit(request([Self.hello, Self.world, Self.hello], stopStrings: [" wor"])))
        XCTAssertEqual(stopped.last, .finished(sample: 0, SampleSummary(tokens: [Self.hello, Self.world], text: "Hello",
                                                                        finishReason: .stopString(" wor"), cachedPromptTokens: 0)))
        let (cut, error) = await collect(try engine("good").submit(request([Self.hello, Self.world, Self.hello], maxTokens: 2)))
        XCTAssertNil(error)
        XCTAssertEqual(cut.last, .finished(sample: 0, SampleSummary(tokens: [Self.hello, Self.world], text: "Hello world",
                                                                    finishReason: .length, cachedPromptTokens: 0)))
    }

    func testSamplesAreOneRequestWithN() async throws {
        let (events, error) = await collect(try engine("good").submit(request([Self.hello, Self.world], samples: 2)))
        XCTAssertNil(error)
        let finished = events.compactMap { event -> (Int, [Int])? in
            if case .finished(let i, let summary) = event { return (i, summary.tokens) }
            return nil
        }.sorted { $0.0 < $1.0 }
        XCTAssertEqual(finished.map(\.1), [[Self.hello, Self.world], [Self.world, Self.hello]])
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(try lastBody["n"] as? Int, 2)
    }

    func testStagesTheAPICannotExpressAreErrorsNamingThem() throws {
        let engine = try engine("good")
        XCTAssertThrowsError(try engine.submit(request([1], chain: [SamplerStageSpec("xtc", ["probability": .number(0.5)])]))) {
            XCTAssertEqual(($0 as? UnsupportedStageError)?.stage, "xtc", "\($0)")
        }
        XCTAssertThrowsError(try engine.submit(request([1], chain: [SamplerStageSpec("top_p", value: 0.9), SamplerStageSpec("temperature", value: 0.7)]))) {
            XCTAssertTrue("\($0)".contains("sampler stage temperature") && "\($0)".contains("before"), "\($0)")
        }
        XCTAssertThrowsError(try engine.submit(request([1], chain: [SamplerStageSpec("repetition_penalty", ["value": .number(1.1), "window": .number(64)])]))) {
            XCTAssertTrue("\($0)".contains("repetition_penalty") && "\($0)".contains("window"), "\($0)")
        }
        XCTAssertEqual(server.requests.count, 0, "nothing is sent")
    }

    // MARK: - Faults (issue 17, item 4): each a clear error within the timeout

    func testRemoteDownIsAClearError() async throws {
        let (_, error) = await collect(try engine("good", url: "http://127.0.0.1:9").submit(request([1])))
        XCTAssertEqual(error as? RemoteEngineError, .unreachable(url: "http://127.0.0.1:9/v1/completions", reason: "connection refused"))
    }

    func testBusyRemoteIsRetriedHonouringRetryAfter() async throws {
        let (events, error) = await collect(try engine("busy-once").submit(request([Self.hello, Self.world])))
        XCTAssertNil(error)
        XCTAssertEqual(events.count, 3)
        XCTAssertEqual(server.requests.count, 2, "one 429, then the answer")
        let (_, busy) = await collect(try engine("busy", timeout: 2).submit(request([1])))
        XCTAssertEqual(busy as? RemoteEngineError, .busy(url: server.endpoint + "/v1/completions", status: 503, attempts: 3, retryAfter: 1))
    }

    func testMalformedTruncatedLongerAndSilentStreams() async throws {
        let url = server.endpoint + "/v1/completions"
        let (_, malformed) = await collect(try engine("malformed").submit(request([1, 2])))
        XCTAssertTrue("\(malformed.map { "\($0)" } ?? "")".contains("malformed response: an event that is not a JSON object"), "\(String(describing: malformed))")
        let (partial, truncated) = await collect(try engine("truncated").submit(request([Self.hello, Self.world, Self.hello])))
        XCTAssertEqual(truncated as? RemoteEngineError, .truncated(url: url, sample: 0, tokens: 2))
        XCTAssertEqual(partial.count, 2, "what arrived was streamed")
        let (_, longer) = await collect(try engine("longer").submit(request([Self.hello, Self.world], maxTokens: 2)))
        XCTAssertEqual(longer as? RemoteEngineError, .longerThanAsked(url: url, sample: 0, maxTokens: 2))
        let (_, silent) = await collect(try engine("silent", timeout: 1).submit(request([1])))
        XCTAssertEqual(silent as? RemoteEngineError, .timedOut(url: url, seconds: 1))
    }

    func testWrongModelNamesTheModelsServed() async throws {
        let (_, error) = await collect(try engine("qwen-72b").submit(request([1])))
        guard case .unknownModel(_, let model, let available) = error as? RemoteEngineError else {
            return XCTFail("\(String(describing: error))")
        }
        XCTAssertEqual(model, "qwen-72b")
        XCTAssertTrue(available.contains("good"), "\(available)")
    }

    func testTextOnlyRemoteFallsBackToTextAndSaysSo() async throws {
        let notices = NoticeLog()
        let (events, error) = await collect(try engine("text-only", notices: notices).submit(request([Self.hello, Self.world])))
        XCTAssertNil(error)
        let text = try Self.tokenizer.get().decode(try Self.tokenizer.get().encode("Tokyo."))
        XCTAssertEqual(events.last.flatMap { if case .finished(_, let s) = $0 { s.text } else { nil } }, text)
        XCTAssertEqual(try lastBody["prompt"] as? String, try Self.tokenizer.get().decode([Self.world, Self.hello]), "the second try sends text")
        XCTAssertTrue(notices.all.contains { $0.contains("accepts text prompts only") }, "\(notices.all)")
        XCTAssertTrue(notices.all.contains { $0.contains("re-tokenized locally") }, "\(notices.all)")
    }

    func testCancellingTheConsumerClosesTheStream() async throws {
        let engine = try engine("silent", timeout: 25)
        let silent = request([1])
        let consumer = Task<Int, Never> { [engine] in
            guard let stream = try? engine.submit(silent) else { return -1 }
            return await OpenAIEngineTests.collect(stream).0.count
        }
        try await Task.sleep(for: .milliseconds(300))
        consumer.cancel()
        // Bounded: a stream that stayed open would hold the consumer for the server's 30 s.
        let finished = expectation(description: "the consumer ends")
        Task {
            _ = await consumer.value
            finished.fulfill()
        }
        await fulfillment(of: [finished], timeout: 5)
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(engine.status().running, 0)
    }
}

/// Collects an engine's notices.
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var notices: [String] = []
    func add(_ notice: String) { lock.withLock { notices.append(notice) } }
    var all: [String] { lock.withLock { notices } }
}
