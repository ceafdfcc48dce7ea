import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Issue #17's acceptance, on loopback: a real `zoo serve` of the bundled nano manifests, and second
/// manifests (`extends:` the bundled one, plus `engine: {kind: openai, url: …, model: …}`) that run on
/// it. The remote engine renders prompts here and sends ids, so what it generates must be what the
/// local engine generates, token for token; voted evaluations score the same; cancelling a stream
/// frees the server's sequence; and a killed remote evaluation resumes to the numbers of a whole run.
final class RemoteEqualityTests: XCTestCase {
    /// The server and the folder of remote manifests (`remote-chat`, `remote-code`, `remote-math`).
    func serve() throws -> (ZooServeProcess, URL) {
        let server = try ZooServeProcess(manifests: ["nano-chat", "nano-code", "nano-math"])
        let dir = try Fixtures.temporaryDirectory("zoo-remote-equality")
        for kind in ["chat", "code", "math"] {
            let bundled = Fixtures.repositoryRoot.appendingPathComponent("zoo/nano-\(kind).yaml").path
            try Data("""
                extends: \(bundled)
                name: remote-\(kind)
                engine: {kind: openai, url: \(server.endpoint), model: nano-\(kind), timeout: 60}

                """.utf8).write(to: dir.appendingPathComponent("remote-\(kind).yaml"))
        }
        return (server, dir)
    }

    func load(_ name: String, from dir: URL? = nil) throws -> LoadedModel {
        let paths = [dir ?? Fixtures.repositoryRoot.appendingPathComponent("zoo")]
        return try LoadedModel.load(ManifestLoader(searchPaths: paths).load(name).manifest)
    }

    func testGreedyChatCodeAndMathEqualTheLocalEngineTokenForToken() throws {
        let (server, dir) = try serve()
        defer { server.stop() }
        let cases: [(kind: String, requests: [VariantRequest])] = [
            ("chat", [.chat([ChatMessage(.user, "What is 7 plus 5?")]), .chat([ChatMessage(.user, "Tell me the capital of Canada.")])]),
            ("code", [.infill(prefix: "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    return ", suffix: "\n\n\nprint(add(2, 3))\n"),
                      .completion("def is_even(n):\n")]),
            ("math", [.problem("Zoe has 39 flowers. She buys 5 more. How many flowers does Zoe have now?"),
                      .problem("A class had 71 apples. The teacher used 44 apples. How many apples are left?")]),
        ]
        for (kind, requests) in cases {
            let local = try load("nano-\(kind)"), remote = try load("remote-\(kind)", from: dir)
            XCTAssertNotNil(remote.remote, "remote-\(kind) runs on the server")
            for (index, request) in requests.enumerated() {
                let expected = try local.generate(request), got = try remote.generate(request)
                XCTAssertEqual(got.promptTokens, expected.promptTokens, "\(kind) #\(index): the same prompt ids")
                XCTAssertGreaterThan(expected.samples[0].tokens.count, 1, "\(kind) #\(index) generates something")
                XCTAssertEqual(got.samples[0].tokens, expected.samples[0].tokens, "\(kind) #\(index)")
                XCTAssertEqual(got.samples[0].text, expected.samples[0].text, "\(kind) #\(index)")
                XCTAssertEqual(got.samples[0].finishReason, expected.samples[0].finishReason, "\(kind) #\(index)")
                XCTAssertEqual(got.output, expected.output, "\(kind) #\(index)")
            }
        }
        // The CLI's ids, as `zoo generate --print-ids` prints them.
        let arguments = ["generate", "--prompt", "What is 2 plus 3?", "--print-ids"]
        let local = try ZooProcess.run(arguments + ["--manifest", "nano-chat"])
        let remote = try ZooProcess.run(arguments + ["--manifest", "remote-chat"], environment: ["QWENZOO_PATH": dir.path])
        XCTAssertEqual(remote.status, 0, remote.stderr)
        XCTAssertTrue(local.stdout.hasPrefix("["), local.stdout)
        XCTAssertEqual(remote.stdout, local.stdout)
    }

    func testSessionsAndZooChatRunOnTheRemote() async throws {
        let (server, dir) = try serve()
        defer { server.stop() }
        var options = GenerationOptions()
        options.includeTokenIDs = true
        let localChat = try load("nano-chat").chat(options: options)
        let remoteChat = try load("remote-chat", from: dir).chat(options: options)
        for message in ["What is 2 plus 3?", "Tell me the capital of Canada."] {
            let expected = try await Self.streamed(localChat.respond(to: message))
            let got = try await Self.streamed(remoteChat.respond(to: message))
            XCTAssertFalse(expected.ids.isEmpty)
            XCTAssertEqual(got.ids, expected.ids, message)
            XCTAssertEqual(got.text, expected.text, message)
        }
        let localHistory = await localChat.messages, remoteHistory = await remoteChat.messages
        XCTAssertEqual(remoteHistory, localHistory)
        XCTAssertEqual(remoteHistory.count, 4)

        // A saved prompt cache holds keys and values, which the remote keeps: refused, naming what needed them.
        do {
            try await remoteChat.saveCache(to: dir.appendingPathComponent("chat.cache"))
            XCTFail("a remote session saved a prompt cache")
        } catch let error as RemoteOnlyError {
            XCTAssertTrue(error.description.contains("a saved prompt cache"), error.description)
            XCTAssertTrue(error.description.contains(server.endpoint), error.description)
        }

        let prefix = "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    return ", suffix = "\n"
        let localInfill = try await load("nano-code").session().infill(prefix: prefix, suffix: suffix)
        let remoteInfill = try await load("remote-code", from: dir).session().infill(prefix: prefix, suffix: suffix)
        XCTAssertEqual(remoteInfill.code, localInfill.code)
        XCTAssertEqual(remoteInfill.response.samples[0].tokens, localInfill.response.samples[0].tokens)

        // What needs the model here (logits) stops with an error saying where the manifest runs.
        let logits = try ZooProcess.run(["logits", "--manifest", "remote-chat", "--ids", "1,2,3"], environment: ["QWENZOO_PATH": dir.path])
        XCTAssertNotEqual(logits.status, 0)
        XCTAssertTrue(logits.stderr.contains("runs on the remote engine at \(server.endpoint)"), logits.stderr)

        // zoo chat: the history is rendered here and sent as ids; the replies are the local engine's.
        let turns = "What is 2 plus 3?\nTell me the capital of Canada.\n"
        let local = try ZooProcess.run(["chat", "--manifest", "nano-chat"], stdin: turns)
        let remote = try ZooProcess.run(["chat", "--manifest", "remote-chat"], stdin: turns, environment: ["QWENZOO_PATH": dir.path])
        XCTAssertEqual(remote.status, 0, remote.stderr)
        XCTAssertFalse(remote.stderr.contains("error"), remote.stderr)
        XCTAssertEqual(remote.stdout.split(separator: "\n").count, 2, remote.stdout)
        XCTAssertEqual(remote.stdout, local.stdout)
    }

    /// Cancelling the task that iterates a session's stream closes the HTTP stream: the server sees
    /// its client leave and its running sequence ends.
    func testCancellingARemoteStreamFreesTheServersSequence() async throws {
        let (server, dir) = try serve()
        defer { server.stop() }
        let remote = try load("remote-chat", from: dir)
        // A reply that would run for the whole token limit: the end-of-turn ids are banned.
        let banned = ["<|im_end|>", "<|endoftext|>", "<|im_start|>"].compactMap { remote.tokenizer.specialTokenID($0) }
        let bias = SamplerStageSpec("logit_bias", Dictionary(uniqueKeysWithValues: banned.map { (String($0), OptionValue.number(-100)) }))
        let stream = remote.session().stream(
            .chat([ChatMessage(.user, "Tell me the capital of Canada.")]),
            options: GenerationOptions(maxTokens: 800, seed: 3, sampler: [bias, SamplerStageSpec("temperature", value: 1)]))
        let (started, signal) = AsyncStream<Void>.makeStream()
        let consumer = Task {
            var chunks = 0
            for try await event in stream {
                if case .text = event { chunks += 1 }
                if chunks == 3 { signal.yield() }
            }
        }
        for await _ in started { break }
        XCTAssertEqual(try server.metric("zoo_running_sequences", model: "nano-chat"), 1, "the reply is being generated")
        consumer.cancel()
        _ = await consumer.result  // a cancelled iteration just ends
        let deadline = Date().addingTimeInterval(20)
        var running = try server.metric("zoo_running_sequences", model: "nano-chat")
        while running != 0, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            running = try server.metric("zoo_running_sequences", model: "nano-chat")
        }
        XCTAssertEqual(running, 0, "the server's sequence ended")
        XCTAssertEqual(try server.metric("zoo_requests_cancelled_total"), 1, "the server saw its client leave")
        let generated = try XCTUnwrap(try server.metric("zoo_generation_tokens_total"))
        XCTAssertLessThan(generated, 800, "stopped before the token limit")
    }

    func testVotedMathEvaluationScoresTheSameThroughBoth() throws {
        let (server, dir) = try serve()
        defer { server.stop() }
        let arguments = ["eval", "--task", "math", "--data", "zoo/models/nano-math/eval-math.jsonl", "--votes", "4",
                         "--limit", "6", "--seed", "1", "--max-tokens", "96", "--json"]
        let local = try json(try ZooProcess.run(arguments + ["--manifest", "nano-math"]))
        let remote = try json(try ZooProcess.run(arguments + ["--manifest", "remote-math", "--concurrency", "3"],
                                                 environment: ["QWENZOO_PATH": dir.path]))
        XCTAssertEqual(remote["problems"] as? Int, 6)
        XCTAssertNotNil(local["maj_at_k"])
        for key in ["accuracy", "maj_at_k", "answered", "agreement"] {
            XCTAssertEqual(remote[key] as? Double, local[key] as? Double, key)
        }
    }

    func testResumeContinuesAKilledRemoteEvaluation() throws {
        let (server, dir) = try serve()
        defer { server.stop() }
        let whole = dir.appendingPathComponent("whole.jsonl").path, killed = dir.appendingPathComponent("killed.jsonl").path
        let environment = ["QWENZOO_PATH": dir.path]
        let base = ["eval", "--manifest", "remote-math", "--protocol", "qwen2.5-math", "--data", "zoo/models/nano-math/eval-math.jsonl",
                    "--limit", "10", "--votes", "2", "--seed", "1", "--concurrency", "2", "--json"]
        let reference = try json(try ZooProcess.run(base + ["--out", whole], environment: environment))
        XCTAssertNotNil(reference["maj_at_k"])

        let partial = try ZooProcess.runKilled(base + ["--out", killed], whenLinesIn: killed, reach: 3, environment: environment)
        XCTAssertGreaterThan(partial, 0, "some records were written before the kill")
        XCTAssertLessThan(partial, 10, "killed before the end")

        let resumed = try json(try ZooProcess.run(base + ["--out", killed, "--resume"], environment: environment))
        for key in ["accuracy", "maj_at_k", "agreement", "items", "answered"] {
            XCTAssertEqual(resumed[key] as? Double, reference[key] as? Double, key)
        }
        XCTAssertEqual(try String(contentsOfFile: killed, encoding: .utf8), try String(contentsOfFile: whole, encoding: .utf8),
                       "the records, in item order, of an uninterrupted run")
        // The same numbers as the local engine's.
        let local = try json(try ZooProcess.run(base.map { $0 == "remote-math" ? "nano-math" : $0 }))
        for key in ["accuracy", "maj_at_k", "agreement"] {
            XCTAssertEqual(local[key] as? Double, reference[key] as? Double, key)
        }
    }

    /// The ids and text a response streamed.
    static func streamed(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> (ids: [Int], text: String) {
        var ids: [Int] = [], text = ""
        for try await event in stream {
            switch event {
            case .token(let id): ids.append(id)
            case .text(let chunk): text += chunk
            default: break
            }
        }
        return (ids, text)
    }
}
