import Foundation
import XCTest
import ZooCore
import ZooModels
import ZooTestSupport

/// `ModelOptions.mapWeights = false` (`weights.mmap: false`, `zoo bench --no-mmap`) copies the
/// f32/16-bit matrices into huge-page memory: the same numbers as reading the mapping in place.
final class UnmappedWeightsTests: XCTestCase {
    private func logits(_ url: URL, mapWeights: Bool) throws -> [Float] {
        let model = try ArchitectureRegistry.shared.load(directory: url, options: ModelOptions(mapWeights: mapWeights))
        return try model.forward([1, 5, 9, 33, 17], cache: model.makeCache(capacity: nil), logits: .all).values
    }

    func testCopiedWeightsGiveTheMappedLogitsBitForBit() throws {
        for name in ["gqa-bf16-tied", "gqa-f32-untied", "gqa-f16-untied-sharded"] {
            let url = Qwen2Reference.directory(name)
            XCTAssertEqual(try logits(url, mapWeights: false), try logits(url, mapWeights: true), name)
        }
        for file in ["gqa-f16.f16.gguf", "gqa-f32-untied.f32.gguf"] {
            let gguf = Fixtures.url("gguf/\(file)")
            XCTAssertEqual(try logits(gguf, mapWeights: false), try logits(gguf, mapWeights: true), file)
        }
    }
}
