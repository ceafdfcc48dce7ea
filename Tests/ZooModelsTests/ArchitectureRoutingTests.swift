import Foundation
import Synchronization
import XCTest
import ZooCore
import ZooModels
import ZooTestSupport

/// Checkpoints reach the loader their architecture name picks: `config.json`'s `model_type`, or a
/// GGUF file's `general.architecture`.
final class ArchitectureRoutingTests: XCTestCase {
    private func gguf(_ name: String) -> URL { Fixtures.url("gguf/\(name).gguf") }

    func testAGGUFFileIsRoutedByItsGeneralArchitecture() throws {
        let url = try GGUFSurgery.mutated(gguf("gqa-f32-untied.f32")) { bytes in
            // The value of general.architecture: its key, a u32 type, a u64 length, then "qwen2".
            let key = Array("general.architecture".utf8)
            let start = try XCTUnwrap((0..<(bytes.count - key.count)).first { bytes[$0..<($0 + key.count)] == ArraySlice(key) })
            let value = start + key.count + 4 + 8
            XCTAssertEqual(Array(bytes[value..<(value + 5)]), Array("qwen2".utf8))
            bytes[value + 4] = UInt8(ascii: "9")
        }
        GGUFSurgery.assertError(try ArchitectureRegistry.shared.load(directory: url), url,
                                "general.architecture \"qwen9\" is not supported in GGUF files (supported: qwen2)")
    }

    func testAnAppRegisteredLoaderReadsDirectoriesButNotGGUFFiles() throws {
        let registry = ArchitectureRegistry()
        let calls = Mutex(0)
        registry.register("qwen2") { directory in
            calls.withLock { $0 += 1 }
            return try Qwen2Model.load(directory)
        }
        XCTAssertEqual(registry.modelTypes, ["qwen2"])
        _ = try registry.load(directory: Qwen2Reference.directory("gqa-f32-untied"))
        XCTAssertEqual(calls.withLock { $0 }, 1)
        let url = gguf("gqa-f32-untied.f32")
        GGUFSurgery.assertError(try registry.load(directory: url), url,
                                "general.architecture \"qwen2\" is not supported in GGUF files (supported: none)")
    }
}
