import Foundation
import XCTest
import ZooTestSupport

/// `zoo generate` on a manifest with `engine: {kind: openai, …}` against `scripts/fake_openai.py`
/// (which answers a prompt with its ids reversed): the prompt is rendered here, the ids come back and
/// are read here, and the receipt says where it ran and what was sent.
final class RemoteEngineCommandTests: XCTestCase {
    func manifests(_ endpoint: String) throws -> URL {
        let dir = try Fixtures.temporaryDirectory("zoo-remote-cli")
        let tinyChat = Fixtures.repositoryRoot.appendingPathComponent("zoo/tiny-chat.yaml").path
        try Data("extends: \(tinyChat)\nengine: {kind: openai, url: \(endpoint), model: good, timeout: 10}\n".utf8)
            .write(to: dir.appendingPathComponent("remote-chat.yaml"))
        try Data("extends: remote-chat\nengine: {model: qwen-72b}\n".utf8).write(to: dir.appendingPathComponent("wrong-model.yaml"))
        try Data("extends: remote-chat\nsampler: [{xtc: {probability: 0.5}}]\n".utf8).write(to: dir.appendingPathComponent("remote-xtc.yaml"))
        try Data("extends: remote-chat\nengine: {kind: openai, url: \(endpoint), model: good, timeot: 3}\n".utf8)
            .write(to: dir.appendingPathComponent("typo.yaml"))
        return dir
    }

    func testGenerateRunsOnTheRemoteAndTheReceiptSaysWhere() throws {
        let dir = try Fixtures.temporaryDirectory("zoo-remote-server")
        let server = try ScriptServer(script: "fake_openai.py", [], directory: dir)
        defer { server.stop() }
        let folder = try manifests(server.endpoint)
        let receipt = folder.appendingPathComponent("r.json")
        let out = try ZooProcess.run(["generate", "--manifest", "remote-chat", "--prompt", "Hello, who are you?", "--print-ids",
                                      "--receipt", receipt.path], environment: ["QWENZOO_PATH": folder.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: receipt)) as? [String: Any])
        let prompt = try XCTUnwrap(object["prompt_ids"] as? [Int])
        let stops = Set(try XCTUnwrap(object["stop_ids"] as? [Int]))
        let maxTokens = try XCTUnwrap(object["max_tokens"] as? Int)
        // What the fake remote generates, read as a local sample is: up to and including the first stop id.
        var expected: [Int] = []
        for id in prompt.reversed().prefix(maxTokens) {
            expected.append(id)
            if stops.contains(id) { break }
        }
        XCTAssertEqual(out.stdout, "[" + expected.map(String.init).joined(separator: ", ") + "]\n")
        XCTAssertEqual(object["output_ids"] as? [Int], expected)
        let remote = try XCTUnwrap(object["remote"] as? [String: Any])
        XCTAssertEqual(remote["url"] as? String, server.endpoint)
        XCTAssertEqual(remote["model"] as? String, "good")
        let sent = try XCTUnwrap((remote["sent"] as? String).flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        XCTAssertEqual(sent["temperature"] as? Double, 0, "tiny-chat is greedy")
        XCTAssertEqual(sent["max_tokens"] as? Int, maxTokens)
        let request = try XCTUnwrap(server.requests.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        XCTAssertEqual(request["prompt"] as? [Int], prompt, "the prompt went as the ids rendered here")
    }

    func testRemoteFaultsAndBadManifestsAreClearErrors() throws {
        let dir = try Fixtures.temporaryDirectory("zoo-remote-server")
        let server = try ScriptServer(script: "fake_openai.py", [], directory: dir)
        defer { server.stop() }
        let folder = try manifests(server.endpoint)
        let env = ["QWENZOO_PATH": folder.path]
        let wrong = try ZooProcess.run(["generate", "--manifest", "wrong-model", "--prompt", "hi"], environment: env)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("has no model \"qwen-72b\" (engine.model); it serves \"good\""), wrong.stderr)
        let xtc = try ZooProcess.run(["generate", "--manifest", "remote-xtc", "--prompt", "hi"], environment: env)
        XCTAssertTrue(xtc.stderr.contains("sampler stage xtc cannot run on an OpenAI-compatible engine"), xtc.stderr)
        XCTAssertEqual(server.requests.count, 1, "only the wrong model's request reached the server")
        let typo = try ZooProcess.run(["generate", "--manifest", "typo", "--prompt", "hi"], environment: env)
        XCTAssertTrue(typo.stderr.contains("typo.yaml:2: engine.timeot: unknown key (did you mean \"timeout\"?)"), typo.stderr)
        server.stop()
        let down = try ZooProcess.run(["generate", "--manifest", "remote-chat", "--prompt", "hi"], environment: env)
        XCTAssertTrue(down.stderr.contains("the remote engine at \(server.endpoint)/v1/completions is down or refuses connections"), down.stderr)
    }
}
