import Foundation
import XCTest
import ZooTestSupport

/// `zoo pull` against `scripts/fake_hub.py`, which serves the bundled nano-chat checkpoint as the Hub
/// repository `zoo-test/nano-chat` (and GGUF fixtures as `zoo-test/tiny-gguf`) at the Hub's URL shapes.
/// What the cache must look like is what huggingface_hub 2.4 wrote from the same server (blobs named
/// by ETag, relative snapshot symlinks, `refs/main` holding the commit).
final class PullCommandTests: XCTestCase {
    static let repo = "zoo-test/nano-chat"
    static let checkpoint = Fixtures.repositoryRoot.appendingPathComponent("zoo/models/nano-chat")

    /// A scratch folder with a manifest folder (`manifests/`) and an empty HF_HOME (`hf/`).
    struct Sandbox {
        let root: URL
        var manifests: URL { root.appendingPathComponent("manifests") }
        var hfHome: URL { root.appendingPathComponent("hf") }
        var repoFolder: URL { hfHome.appendingPathComponent("hub/models--zoo-test--nano-chat") }

        init() throws {
            root = try Fixtures.temporaryDirectory("zoo-pull")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("manifests"), withIntermediateDirectories: true)
            // nano-chat with its weights taken from the Hub instead of the repository.
            let nano = Fixtures.repositoryRoot.appendingPathComponent("zoo/nano-chat.yaml").path
            try write("hub-nano-chat", "extends: \(nano)\nweights:\n  path: null\n  hf: \(PullCommandTests.repo)\n")
        }

        func write(_ name: String, _ yaml: String) throws {
            try Data(yaml.utf8).write(to: manifests.appendingPathComponent("\(name).yaml"))
        }

        func environment(endpoint: String, token: String = "") -> [String: String] {
            ["HF_HOME": hfHome.path, "HF_ENDPOINT": endpoint, "HF_TOKEN": token, "HF_HUB_CACHE": "", "HF_TOKEN_PATH": "",
             "QWENZOO_PATH": manifests.path]
        }

        func run(_ arguments: [String], endpoint: String, token: String = "") throws -> ZooProcess.Output {
            try ZooProcess.run(arguments, directory: root, environment: environment(endpoint: endpoint, token: token))
        }
    }

    static func sha256(_ file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(out.prefix(64))
    }

    /// The git blob id of a file (what the Hub's ETag is for a file kept in git).
    static func gitBlobID(_ file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "hash-object", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testFreshPullWritesTheHuggingFaceCacheLayoutAndTheModelAnswers() throws {
        let box = try Sandbox()
        let hub = try FakeHub(["--repo", "\(Self.repo)=\(Self.checkpoint.path)"], directory: box.root)
        defer { hub.stop() }

        let before = try box.run(["list"], endpoint: hub.endpoint)
        XCTAssertTrue(before.stdout.contains("absent (zoo pull hub-nano-chat: zoo-test/nano-chat)"), before.stdout + before.stderr)

        let pull = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint)
        XCTAssertEqual(pull.status, 0, pull.stderr)
        XCTAssertFalse(pull.stderr.contains("\r"), "no redrawn bar when stderr is not a terminal")
        let commit = try String(contentsOf: box.repoFolder.appendingPathComponent("refs/main"), encoding: .utf8)
        XCTAssertEqual(commit.count, 40, "refs/main holds the bare commit id, no newline")
        let snapshot = box.repoFolder.appendingPathComponent("snapshots/\(commit)")
        XCTAssertEqual(pull.stdout, snapshot.path + "\n")

        let files = try FileManager.default.contentsOfDirectory(atPath: Self.checkpoint.path).sorted()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: snapshot.path).sorted(), files)
        for file in files {
            let source = Self.checkpoint.appendingPathComponent(file)
            // LFS files are named by their sha256, the others by their git blob id, as the Hub's ETags say.
            let etag = file.hasSuffix(".safetensors") ? try Self.sha256(source) : try Self.gitBlobID(source)
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.appendingPathComponent(file).path)
            XCTAssertEqual(link, "../../blobs/\(etag)", file)
            let blob = box.repoFolder.appendingPathComponent("blobs/\(etag)")
            XCTAssertEqual(try Data(contentsOf: blob), try Data(contentsOf: source), file)
        }
        XCTAssertEqual(hub.requests.filter { $0.hasPrefix("GET /cdn/") }.count, 1, "the weights come from the CDN host")

        let after = try box.run(["list"], endpoint: hub.endpoint)
        XCTAssertTrue(after.stdout.split(separator: "\n").contains { $0.hasPrefix("hub-nano-chat") && $0.hasSuffix("present") }, after.stdout)
        let question = ["--prompt", "What is the capital of Japan?"]
        let answer = try box.run(["generate", "--manifest", "hub-nano-chat"] + question, endpoint: hub.endpoint)
        let reference = try ZooProcess.run(["generate", "--manifest", "nano-chat"] + question)
        XCTAssertEqual(answer.status, 0, answer.stderr)
        XCTAssertEqual(answer.stdout, reference.stdout)
    }

    func testInterruptedTransferResumesWithARangeRequest() throws {
        let box = try Sandbox()
        let hub = try FakeHub(["--repo", "\(Self.repo)=\(Self.checkpoint.path)", "--cut", "model.safetensors:1000000"], directory: box.root)
        defer { hub.stop() }
        let pull = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint)
        XCTAssertEqual(pull.status, 0, pull.stderr)
        // The second request continues from what reached the disk (at most the 1,000,000 bytes sent).
        let resumed = try XCTUnwrap(pull.stderr.firstMatch(of: /resuming at byte (\d+)/).flatMap { Int($0.1) }, pull.stderr)
        XCTAssertTrue((1...1_000_000).contains(resumed), "\(resumed)")
        let cdn = hub.requests.filter { $0.hasPrefix("GET /cdn/") }
        XCTAssertEqual(cdn.count, 2, "\(hub.requests)")
        XCTAssertTrue(cdn[0].hasSuffix(" -") && cdn[1].hasSuffix(" bytes=\(resumed)-"), "\(cdn)")
        let sha = try Self.sha256(Self.checkpoint.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(try Self.sha256(box.repoFolder.appendingPathComponent("blobs/\(sha)")), sha)
    }

    func testPartialFileFromAnEarlierRunIsContinued() throws {
        let box = try Sandbox()
        let source = Self.checkpoint.appendingPathComponent("model.safetensors")
        let sha = try Self.sha256(source)
        let blobs = box.repoFolder.appendingPathComponent("blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try Data(contentsOf: source).prefix(123_456).write(to: blobs.appendingPathComponent("\(sha).incomplete"))
        let hub = try FakeHub(["--repo", "\(Self.repo)=\(Self.checkpoint.path)"], directory: box.root)
        defer { hub.stop() }
        let pull = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint)
        XCTAssertEqual(pull.status, 0, pull.stderr)
        XCTAssertEqual(hub.requests.filter { $0.hasPrefix("GET /cdn/") }.map { String($0.split(separator: " ").last!) }, ["bytes=123456-"])
        XCTAssertEqual(try Self.sha256(blobs.appendingPathComponent(sha)), sha)
        XCTAssertFalse(FileManager.default.fileExists(atPath: blobs.appendingPathComponent("\(sha).incomplete").path))
    }

    func testCorruptFileIsRejectedByItsChecksum() throws {
        let box = try Sandbox()
        let hub = try FakeHub(["--repo", "\(Self.repo)=\(Self.checkpoint.path)", "--corrupt", "model.safetensors"], directory: box.root)
        defer { hub.stop() }
        let pull = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint)
        XCTAssertNotEqual(pull.status, 0)
        let sha = try Self.sha256(Self.checkpoint.appendingPathComponent("model.safetensors"))
        XCTAssertTrue(pull.stderr.contains("model.safetensors is corrupt") && pull.stderr.contains("the Hub says \(sha)"), pull.stderr)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: box.repoFolder.appendingPathComponent("blobs").path)
        XCTAssertFalse(blobs.contains { $0.hasPrefix(sha) }, "neither the blob nor its .incomplete is kept: \(blobs)")
        let list = try box.run(["list"], endpoint: hub.endpoint)
        XCTAssertTrue(list.stdout.contains("absent (zoo pull hub-nano-chat"), list.stdout)
    }

    /// The layout huggingface_hub writes, made by hand: blobs by ETag, relative symlinks, refs/main.
    func testCacheAlreadyLaidOutIsUsedWithoutDownloading() throws {
        let box = try Sandbox()
        let commit = String(repeating: "ab", count: 20)
        let snapshot = box.repoFolder.appendingPathComponent("snapshots/\(commit)")
        let blobs = box.repoFolder.appendingPathComponent("blobs")
        for folder in [snapshot, blobs, box.repoFolder.appendingPathComponent("refs")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.checkpoint.path) {
            let source = Self.checkpoint.appendingPathComponent(file)
            let etag = file.hasSuffix(".safetensors") ? try Self.sha256(source) : try Self.gitBlobID(source)
            try FileManager.default.copyItem(at: source, to: blobs.appendingPathComponent(etag))
            try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent(file).path, withDestinationPath: "../../blobs/\(etag)")
        }
        try Data(commit.utf8).write(to: box.repoFolder.appendingPathComponent("refs/main"))

        // No Hub at all: listing and generating read the cache.
        let offline = "http://127.0.0.1:9"
        let list = try box.run(["list"], endpoint: offline)
        XCTAssertTrue(list.stdout.split(separator: "\n").contains { $0.hasPrefix("hub-nano-chat") && $0.hasSuffix("present") }, list.stdout)
        let answer = try box.run(["generate", "--manifest", "hub-nano-chat", "--prompt", "What is the capital of Japan?"], endpoint: offline)
        XCTAssertEqual(answer.status, 0, answer.stderr)
        XCTAssertEqual(answer.stdout, "The capital of Japan is Tokyo.\n")

        // A pull asks the Hub which commit main is, finds every file there, and fetches nothing.
        let hub = try FakeHub(["--repo", "\(Self.repo)=\(Self.checkpoint.path)"], directory: box.root)
        defer { hub.stop() }
        // main has moved on at the Hub (another commit id), with the same files: the new snapshot links
        // to the blobs already there.
        let info = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint)
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stderr.contains("0 files fetched, 8 already in the cache"), info.stderr)
        let resolveGets = hub.requests.filter { $0.hasPrefix("GET /zoo-test/") || $0.hasPrefix("GET /cdn/") }
        XCTAssertEqual(resolveGets, [], "every blob was in the cache already: nothing is downloaded")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: blobs.path).count, 8, "no second copy")
    }

    func testGatedRepositoryWithoutATokenIsAClearError() throws {
        let box = try Sandbox()
        let hub = try FakeHub(["--repo", "\(Self.repo)=\(Self.checkpoint.path)", "--gated", Self.repo, "--token", "hf_secret"], directory: box.root)
        defer { hub.stop() }
        let refused = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.stderr, "zoo: error: zoo-test/nano-chat is a gated repository: accept its conditions at \(hub.endpoint)/zoo-test/nano-chat, then set HF_TOKEN to an access token of that account (or run `huggingface-cli login`)\n")
        let wrong = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint, token: "hf_other")
        XCTAssertTrue(wrong.stderr.contains("the token in HF_TOKEN has no access"), wrong.stderr)
        let allowed = try box.run(["pull", "hub-nano-chat"], endpoint: hub.endpoint, token: "hf_secret")
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
    }

    func testUnreachableEndpointAndUnknownNamesAreClearErrors() throws {
        let box = try Sandbox()
        let down = try box.run(["pull", "hub-nano-chat"], endpoint: "http://127.0.0.1:9")
        XCTAssertNotEqual(down.status, 0)
        XCTAssertTrue(down.stderr.contains("cannot connect to http://127.0.0.1:9/api/models/zoo-test/nano-chat/revision/main"), down.stderr)

        let hub = try FakeHub(["--repo", "\(Self.repo)=\(Self.checkpoint.path)"], directory: box.root)
        defer { hub.stop() }
        try box.write("missing", "extends: hub-nano-chat\nweights: {hf: zoo-test/nano-chatt}\n")
        let missing = try box.run(["pull", "missing"], endpoint: hub.endpoint)
        XCTAssertTrue(missing.stderr.contains("no repository zoo-test/nano-chatt on the Hub"), missing.stderr)
        try box.write("branch", "extends: hub-nano-chat\nweights: {revision: v9}\n")
        let branch = try box.run(["pull", "branch"], endpoint: hub.endpoint)
        XCTAssertTrue(branch.stderr.contains("has no revision \"v9\""), branch.stderr)
        let local = try box.run(["pull", Fixtures.repositoryRoot.appendingPathComponent("zoo/nano-chat.yaml").path], endpoint: hub.endpoint)
        XCTAssertTrue(local.stderr.contains("names no Hugging Face repository"), local.stderr)
    }

    func testGGUFRepositoryFetchesOnlyTheNamedFile() throws {
        let box = try Sandbox()
        let folder = box.root.appendingPathComponent("gguf-repo")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in ["zoo-tiny.f32.gguf", "gqa-f16.f16.gguf"] {
            try FileManager.default.copyItem(at: Fixtures.url("gguf/\(file)"), to: folder.appendingPathComponent(file))
        }
        let reference = Fixtures.repositoryRoot.appendingPathComponent("zoo/tiny-chat-gguf.yaml").path
        try box.write("hub-tiny-gguf", "extends: \(reference)\nweights:\n  path: null\n  hf: zoo-test/tiny-gguf\n  file: zoo-tiny.f32.gguf\n")
        try box.write("typo-gguf", "extends: hub-tiny-gguf\nweights: {file: zoo-tiny.f23.gguf}\n")
        let hub = try FakeHub(["--repo", "zoo-test/tiny-gguf=\(folder.path)"], directory: box.root)
        defer { hub.stop() }

        let typo = try box.run(["pull", "typo-gguf"], endpoint: hub.endpoint)
        XCTAssertTrue(typo.stderr.contains("has no file zoo-tiny.f23.gguf (did you mean \"zoo-tiny.f32.gguf\"?)"), typo.stderr)
        let pull = try box.run(["pull", "hub-tiny-gguf"], endpoint: hub.endpoint)
        XCTAssertEqual(pull.status, 0, pull.stderr)
        XCTAssertTrue(pull.stdout.hasSuffix("/zoo-tiny.f32.gguf\n"), pull.stdout)
        XCTAssertEqual(hub.requests.filter { $0.hasPrefix("GET /cdn/") }.count, 1, "only the named file: \(hub.requests)")
        let ids = ["--prompt", "Hello, who are you?", "--print-ids"]
        let answer = try box.run(["generate", "--manifest", "hub-tiny-gguf"] + ids, endpoint: hub.endpoint)
        XCTAssertEqual(answer.status, 0, answer.stderr)
        XCTAssertEqual(answer.stdout, try ZooProcess.run(["generate", "--manifest", "tiny-chat-gguf"] + ids).stdout)
    }
}
