import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// `engine: {kind: openai, …}`: defaults, and errors that name the file, line and field.
final class ManifestEngineTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = try Fixtures.temporaryDirectory("zoo-engine-manifests")
    }

    private func load(_ yaml: String) throws -> Manifest {
        try Data(("name: m\n" + yaml).utf8).write(to: dir.appendingPathComponent("m.yaml"))
        return try ManifestLoader(searchPaths: [dir], environment: [:]).load("m").manifest
    }

    func testDefaultsAndLocal() throws {
        XCTAssertEqual(try load("").engine, .local)
        XCTAssertEqual(try load("engine: local\n").engine, .local)
        XCTAssertEqual(try load("engine: {kind: openai, url: 'http://gpu:8000/v1', model: Qwen/Qwen2.5-72B-Instruct}\n").engine,
                       .openai(Manifest.RemoteEngine(url: "http://gpu:8000/v1", model: "Qwen/Qwen2.5-72B-Instruct",
                                                     apiKeyEnvironmentVariable: nil, maxConcurrency: 8, timeout: 60, prompt: "ids")))
    }

    func testBadEngineFieldsNameTheirLine() {
        let cases: [(String, [String])] = [
            ("engine: openai\n", ["m.yaml:2", "engine", "needs url and model"]),
            ("engine: {kind: opena}\n", ["m.yaml:2", "engine.kind", "did you mean \"openai\""]),
            ("engine:\n  kind: openai\n  model: x\n", ["engine.url", "required field is missing"]),
            ("engine:\n  kind: openai\n  url: gpu:8000\n  model: x\n", ["m.yaml:4", "engine.url", "http(s) URL"]),
            ("engine:\n  kind: openai\n  url: http://gpu\n  model: x\n  timeout: 0\n", ["m.yaml:6", "engine.timeout", "positive"]),
            ("engine:\n  kind: openai\n  url: http://gpu\n  model: x\n  max_concurrency: -1\n", ["m.yaml:6", "engine.max_concurrency"]),
            ("engine:\n  kind: openai\n  url: http://gpu\n  model: x\n  prompt: tokens\n", ["m.yaml:6", "engine.prompt", "ids, text"]),
            ("engine:\n  kind: openai\n  url: http://gpu\n  model: x\n  api_key_env: $KEY\n", ["m.yaml:6", "engine.api_key_env"]),
            ("engine:\n  kind: local\n  url: http://gpu\n", ["m.yaml:4", "engine.url", "unknown key"]),
        ]
        for (yaml, fragments) in cases {
            XCTAssertThrowsError(try load(yaml), yaml) { error in
                for fragment in fragments { XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" lacks \"\(fragment)\"") }
            }
        }
    }
}
