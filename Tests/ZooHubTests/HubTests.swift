import Foundation
import XCTest
@testable import ZooHub

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 example vectors (NIST CSRC "SHA-256" examples).
    func testStandardVectors() {
        func hex(_ text: String) -> String {
            var digest = SHA256()
            digest.update(Array(text.utf8))
            return digest.hexDigest()
        }
        XCTAssertEqual(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var million = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { million.update(chunk) }
        XCTAssertEqual(million.hexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Any split of the input gives the same digest (the pending-block path).
    func testPiecesEqualTheWhole() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var whole = SHA256()
        whole.update(bytes)
        for split in [1, 63, 64, 65, 127, 500] {
            var pieces = SHA256()
            var index = 0
            while index < bytes.count {
                let end = min(index + split, bytes.count)
                pieces.update(Array(bytes[index..<end]))
                index = end
            }
            XCTAssertEqual(pieces.hexDigest(), whole.hexDigest(), "split \(split)")
        }
    }
}

final class HubLayoutTests: XCTestCase {
    func testRepoIDsAndFolderNames() throws {
        XCTAssertEqual(try HubRepoID("Qwen/Qwen2.5-0.5B-Instruct").cacheFolderName, "models--Qwen--Qwen2.5-0.5B-Instruct")
        XCTAssertEqual(try HubRepoID("gpt2").cacheFolderName, "models--gpt2")
        for bad in ["", "a/b/c", "Qwen/", "Qwen/a--b", "Qwen/../x", "Qwen/a b"] {
            XCTAssertThrowsError(try HubRepoID(bad), bad)
        }
    }

    func testSettingsFollowHuggingFaceHub() {
        let home = HubSettings(environment: ["HOME": "/h", "HF_HOME": "/data/hf", "HF_ENDPOINT": "http://mirror.local:8080/"])
        XCTAssertEqual(home.cacheRoot.path, "/data/hf/hub")
        XCTAssertEqual(home.endpoint, "http://mirror.local:8080")
        XCTAssertEqual(HubSettings(environment: ["XDG_CACHE_HOME": "/xdg"]).cacheRoot.path, "/xdg/huggingface/hub")
        XCTAssertEqual(HubSettings(environment: ["HF_HOME": "/a", "HF_HUB_CACHE": "/b"]).cacheRoot.path, "/b")
        XCTAssertEqual(HubSettings(environment: ["HF_HOME": "/nonexistent", "HF_TOKEN": "hf_x"]).token, "hf_x")
        XCTAssertNil(HubSettings(environment: ["HF_HOME": "/nonexistent", "HF_TOKEN": ""]).token)
    }

    func testSnapshotLinksAreRelativeAndRefsResolve() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = HubCache(repo: try HubRepoID("Org/Name"), cacheRoot: root)
        let commit = String(repeating: "0123456789", count: 4)
        XCTAssertEqual(cache.snapshotFolder(for: "main").lastPathComponent, "main", "never pulled: a folder that does not exist")
        try cache.writeRef("main", commit: commit)
        XCTAssertEqual(try String(contentsOf: cache.ref("main"), encoding: .utf8), commit)
        XCTAssertEqual(cache.snapshotFolder(for: "main"), cache.snapshot(commit))
        try cache.link("config.json", commit: commit, etag: "e1")
        try cache.link("onnx/model.onnx", commit: commit, etag: "e2")
        let manager = FileManager.default
        XCTAssertEqual(try manager.destinationOfSymbolicLink(atPath: cache.snapshot(commit).appendingPathComponent("config.json").path), "../../blobs/e1")
        XCTAssertEqual(try manager.destinationOfSymbolicLink(atPath: cache.snapshot(commit).appendingPathComponent("onnx/model.onnx").path), "../../../blobs/e2")
    }

    func testETagsAndSelection() throws {
        XCTAssertEqual(HubClient.normalizeETag("W/\"abc\""), "abc")
        XCTAssertEqual(HubClient.normalizeETag("\"abc\""), "abc")
        let files = ["config.json", "model.safetensors", "pytorch_model.bin", "model.onnx", "tokenizer.json"].map {
            HubFile(name: $0, size: nil, lfsSHA256: nil)
        }
        XCTAssertEqual(try HubPull.select(files, file: nil, repo: "r").map(\.name), ["config.json", "model.safetensors", "tokenizer.json"])
        XCTAssertEqual(try HubPull.select(files, file: "model.onnx", repo: "r").map(\.name), ["model.onnx"])
        XCTAssertFalse(HubClient.isSafeRelativePath("../x"))
        XCTAssertFalse(HubClient.isSafeRelativePath("/etc/passwd"))
        XCTAssertTrue(HubClient.isSafeRelativePath("a/b.json"))
    }
}
