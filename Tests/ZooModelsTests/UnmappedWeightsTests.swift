import Foundation
import XCTest
import ZooCore
import ZooKernels
@testable import ZooModels
import ZooTestSupport

/// `ModelOptions.mapWeights = false` (`weights.mmap: false`, `zoo bench --no-mmap`) copies the
/// f32/16-bit matrices into huge-page memory, in ``FourRowLayout`` where the shape fits: the same
/// numbers as reading the mapping in place.
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

    func testCopiesTakeTheFourRowLayoutWhereTheShapeFits() throws {
        let source = try GGUFTensorSource(GGUFFile(url: Fixtures.url("gguf/gqa-f16.f16.gguf")))
        let (copied, vocabulary) = try WeightTensor.$copiesMappedWeights.withValue(true) {
            (try source.matrix("blk.0.ffn_down.weight", rows: 64, columns: 176, precision: .asStored),
             try source.matrix("token_embd.weight", rows: 352, columns: 64, precision: .asStored))
        }
        guard case .fourRows(let buffer) = copied.storage, buffer.element == .f16 else {
            return XCTFail("ffn_down (64 × 176) should be copied into the four-row layout")
        }
        guard case .fourRows = vocabulary.storage else { return XCTFail("token_embd (352 × 64) should be too") }
        let mapped = try source.matrix("blk.0.ffn_down.weight", rows: 64, columns: 176, precision: .asStored)
        guard case .half(let view) = mapped.storage, view.isMapped else { return XCTFail("the default reads the mapping") }
        for row in [0, 3, 4, 63] {  // an embedding lookup reads the packed rows back as they were
            var unpacked = [Float](repeating: .nan, count: 176), expected = unpacked
            copied.copyRow(row, into: &unpacked)
            mapped.copyRow(row, into: &expected)
            XCTAssertEqual(unpacked, expected, "row \(row)")
        }
    }
}
