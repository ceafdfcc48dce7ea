import Foundation
import XCTest
import ZooTestSupport

/// Issue 19's manifest and weights bugs (1, 2, 6, 8, 9) and the lookup points, each as a user meets it.
final class ManifestBugTests: XCTestCase {
    let repo = Fixtures.repositoryRoot.path

    private func manifest(_ name: String, _ yaml: String, in dir: URL) throws -> URL {
        let file = dir.appendingPathComponent("\(name).yaml")
        try Data(yaml.utf8).write(to: file)
        return file
    }

    /// Bug 1: the README promises `format: gguf` for a file whose name says otherwise.
    func testGGUFFormatWorksWithoutTheExtension() throws {
        let dir = try Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(at: Fixtures.url("gguf/zoo-tiny.f32.gguf"), to: dir.appendingPathComponent("model.bin"))
        let file = try manifest("binchat", "extends: \(repo)/zoo/tiny-chat-gguf.yaml\nname: binchat\nweights: {path: model.bin, format: gguf}\n", in: dir)
        let renamed = try ZooProcess.run(["generate", "--manifest", file.path, "--prompt", "Hello, who are you?", "--print-ids"])
        XCTAssertEqual(renamed.status, 0, renamed.stderr)
        let original = try ZooProcess.run(["generate", "--manifest", "tiny-chat-gguf", "--prompt", "Hello, who are you?", "--print-ids"])
        XCTAssertEqual(renamed.stdout, original.stdout)
        XCTAssertEqual(renamed.stdout, "[313, 330, 379, 362]\n", "Tests/Fixtures/zoo-tiny/reference.json, case chat")
    }

    /// Bug 2: validate looked for config.json next to a GGUF file; list called a truncated file absent.
    func testValidateAndListJudgeGGUFFilesByTheirContent() throws {
        let ok = try ZooProcess.run(["validate", "tiny-chat-gguf"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "ok      tiny-chat-gguf\n")

        let dir = try Fixtures.temporaryDirectory()
        let whole = try Data(contentsOf: Fixtures.url("gguf/zoo-tiny.f32.gguf"))
        try whole.prefix(4096).write(to: dir.appendingPathComponent("cut.gguf"))
        _ = try manifest("cut", "extends: \(repo)/zoo/tiny-chat-gguf.yaml\nname: cut\nweights: {path: cut.gguf}\n", in: dir)
        let list = try ZooProcess.run(["list"], environment: ["QWENZOO_PATH": dir.path])
        let row = list.stdout.split(separator: "\n").first { $0.hasPrefix("cut ") }.map(String.init) ?? ""
        XCTAssertTrue(row.contains("damaged (") && row.contains("cut.gguf"), list.stdout)
        let validate = try ZooProcess.run(["validate", "cut"], environment: ["QWENZOO_PATH": dir.path])
        XCTAssertTrue(validate.stdout.contains("(weights damaged: "), validate.stdout)
    }

    /// Bug 6: a base-variant manifest on a chat checkpoint stops at the checkpoint's end-of-sequence
    /// ids (zoo/models/nano-chat/generation_config.json: [1538, 1536]), as `--model` does.
    func testEveryVariantStopsAtTheCheckpointsEndOfSequence() throws {
        let dir = try Fixtures.temporaryDirectory()
        let file = try manifest("plain", "extends: \(repo)/zoo/families/qwen2.yaml\nname: plain\nweights: {path: \(repo)/zoo/models/nano-chat}\n", in: dir)
        let prompt = "What is the capital of Japan?"
        let viaManifest = try ZooProcess.run(["generate", "--manifest", file.path, "--prompt", prompt, "--print-ids"])
        XCTAssertEqual(viaManifest.status, 0, viaManifest.stderr)
        let viaModel = try ZooProcess.run(["generate", "--model", "zoo/models/nano-chat", "--prompt", prompt, "--print-ids"])
        XCTAssertEqual(viaManifest.stdout, viaModel.stdout)
        let ids = try JSONDecoder().decode([Int].self, from: Data(viaManifest.stdout.utf8))
        XCTAssertLessThan(ids.count, 512)
        XCTAssertTrue([1538, 1536].contains(ids.last!), "\(ids)")
    }

    /// Bug 8: a `--set` path is relative to the working directory, and so is `${weights.path}` derived from it.
    func testRelativeSetPathIsRelativeToTheWorkingDirectory() throws {
        let out = try ZooProcess.run(["generate", "--manifest", "nano-chat", "--set", "weights.path=zoo/models/nano-base",
                                      "--prompt", "x", "--max-tokens", "2", "--print-ids"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let show = try ZooProcess.run(["show", "nano-chat", "--set", "weights.path=zoo/models/nano-base"])
        XCTAssertTrue(show.stdout.contains("path: \(repo)/zoo/models/nano-base\n"), show.stdout)
    }

    /// Bug 9: one identity per manifest, its file name.
    func testANameThatDiffersFromTheFileNameIsAnError() throws {
        let dir = try Fixtures.temporaryDirectory()
        let clash = try manifest("nameclash", "extends: \(repo)/zoo/nano-chat.yaml\nname: nano-chat\n", in: dir)
        let out = try ZooProcess.run(["validate", clash.path])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("nameclash.yaml:2: name: \"nano-chat\" differs from the file name \"nameclash\""), out.stderr)
        let inherits = try manifest("inherits", "extends: \(repo)/zoo/nano-chat.yaml\n", in: dir)
        let validate = try ZooProcess.run(["validate", inherits.path])
        XCTAssertEqual(validate.stdout, "ok      inherits\n", validate.stderr)
    }

    /// Outside the repository: list says where it looked and names QWENZOO_PATH.
    func testListWithNoManifestsSaysWhereItLooked() throws {
        let dir = try Fixtures.temporaryDirectory()
        let out = try ZooProcess.run(["list"], directory: dir, environment: ["QWENZOO_PATH": ""])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.hasPrefix("zoo: error: no manifests found in \(dir.path)/zoo"), out.stderr)
        XCTAssertTrue(out.stderr.contains("QWENZOO_PATH"), out.stderr)
    }

    /// `$QWENZOO_PATH` wins over ./zoo, with a warning when it hides a manifest of the same name.
    func testQwenzooPathWinsWithAWarning() throws {
        let dir = try Fixtures.temporaryDirectory()
        _ = try manifest("nano-chat", "extends: \(repo)/zoo/nano-chat.yaml\nmax_tokens: 3\n", in: dir)
        let out = try ZooProcess.run(["generate", "--manifest", "nano-chat", "--prompt", "What is the capital of Japan?", "--print-ids"],
                                     environment: ["QWENZOO_PATH": dir.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(try JSONDecoder().decode([Int].self, from: Data(out.stdout.utf8)).count, 3, "max_tokens 3 came from QWENZOO_PATH")
        XCTAssertTrue(out.stderr.contains("zoo: warning: manifest nano-chat is \(dir.path)/nano-chat.yaml"), out.stderr)
        XCTAssertTrue(out.stderr.contains("shadows \(repo)/zoo/nano-chat.yaml"), out.stderr)
    }

    /// Cosmetic: a YAML duplicate key is one line with its prefix.
    func testDuplicateKeyIsOneLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        let file = try manifest("dup", "name: dup\nseed: 1\nseed: 2\n", in: dir)
        let out = try ZooProcess.run(["validate", file.path])
        XCTAssertEqual(out.status, 1)
        XCTAssertEqual(out.stderr.split(separator: "\n").count, 1, out.stderr)
        XCTAssertTrue(out.stderr.contains("dup.yaml:") && out.stderr.contains("duplicated key \"seed\""), out.stderr)
    }
}
