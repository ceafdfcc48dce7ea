import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// `weights: {hf: …, revision: …, file: …}`: validation, and the path it resolves to in the Hugging Face cache.
final class ManifestHubWeightsTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = try Fixtures.temporaryDirectory("zoo-hub-manifests")
    }

    private func load(_ yaml: String, environment: [String: String] = ["HF_HOME": "/cache/hf"], overrides: [String] = []) throws -> Manifest {
        try Data(("name: m\n" + yaml).utf8).write(to: dir.appendingPathComponent("m.yaml"))
        return try ManifestLoader(searchPaths: [dir], environment: environment).load("m", overrides: overrides).manifest
    }

    func testHubRepositoryResolvesToItsSnapshotInTheCache() throws {
        let manifest = try load("weights: {hf: Qwen/Qwen2.5-0.5B-Instruct}\ntokenizer: {kind: hf, path: '${weights.path}'}\n")
        let weights = try XCTUnwrap(manifest.weights)
        XCTAssertEqual(weights.hub, Manifest.HubSource(repo: "Qwen/Qwen2.5-0.5B-Instruct", revision: "main", file: nil))
        XCTAssertEqual(weights.path.path, "/cache/hf/hub/models--Qwen--Qwen2.5-0.5B-Instruct/snapshots/main", "not pulled yet")
        XCTAssertEqual(manifest.tokenizer?.path, weights.path, "${weights.path} is the snapshot")
        XCTAssertEqual(weights.presence, .absent)

        // After a pull, refs/main names the commit whose snapshot is loaded.
        let repo = dir.appendingPathComponent("hf/hub/models--Org--Model")
        let commit = String(repeating: "c", count: 40)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/v1"))
        let pulled = try load("weights: {hf: Org/Model, revision: v1, file: model-q8_0.gguf}\n", environment: ["HF_HOME": dir.appendingPathComponent("hf").path])
        XCTAssertEqual(pulled.weights?.path, repo.appendingPathComponent("snapshots/\(commit)/model-q8_0.gguf"))
        XCTAssertEqual(pulled.weights?.isGGUF, true)
    }

    func testWrittenPathWinsOverTheCache() throws {
        let manifest = try load("weights: {hf: Org/Model, path: /models/Model}\n")
        XCTAssertEqual(manifest.weights?.path.path, "/models/Model")
        XCTAssertEqual(manifest.weights?.hub?.repo, "Org/Model")
        let overridden = try load("weights: {hf: Org/Model}\n", overrides: ["weights.path=/elsewhere"])
        XCTAssertEqual(overridden.weights?.path.path, "/elsewhere")
    }

    func testBadHubFieldsNameTheirLine() throws {
        let cases: [(String, [String])] = [
            ("weights:\n  hf: Qwen/Qwen/2\n", ["m.yaml:3", "weights.hf", "expected Org/Name"]),
            ("weights:\n  hf: Qwen/a b\n", ["m.yaml:3", "weights.hf", "only letters"]),
            ("weights:\n  path: /x\n  revision: main\n", ["m.yaml:4", "weights.revision", "needs weights.hf"]),
            ("weights:\n  hf: Org/M\n  file: ../x.gguf\n", ["m.yaml:4", "weights.file"]),
            ("weights:\n  hf: Org/M\n  revison: v1\n", ["m.yaml:4", "did you mean \"revision\""]),
        ]
        for (yaml, fragments) in cases {
            XCTAssertThrowsError(try load(yaml), yaml) { error in
                for fragment in fragments { XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" lacks \"\(fragment)\"") }
            }
        }
    }
}
