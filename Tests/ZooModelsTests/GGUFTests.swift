import Foundation
import XCTest
import ZooCore
import ZooModels
import ZooTestSupport

/// GGUF files (written by scripts/make_gguf_fixtures.py with llama.cpp's gguf package) give the
/// same logits as the same weights from safetensors, and malformed files give clear errors.
final class GGUFTests: XCTestCase {
    private func gguf(_ name: String) -> URL { Fixtures.url("gguf/\(name).gguf") }

    private func logits(_ url: URL, _ options: ModelOptions = ModelOptions(), ids: [Int]) throws -> [Float] {
        let model = try ArchitectureRegistry.shared.load(directory: url, options: options)
        return try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all).values
    }

    private var ids: [Int] { try! Qwen2Reference.load("gqa-f32-untied").cases[2].ids }

    func testF32FileEqualsTheSafetensors() throws {
        XCTAssertEqual(try logits(gguf("gqa-f32-untied.f32"), ids: ids),
                       try logits(Qwen2Reference.directory("gqa-f32-untied"), ids: ids))
    }

    func testQ8_0FileEqualsQuantizingTheSafetensorsAtLoad() throws {
        XCTAssertEqual(try logits(gguf("gqa-f32-untied.q8_0"), ids: ids),
                       try logits(Qwen2Reference.directory("gqa-f32-untied"), ModelOptions(weightPrecision: .q8_0), ids: ids))
    }

    func testQ4_0FileEqualsQuantizingTheSafetensorsAtLoad() throws {
        XCTAssertEqual(try logits(gguf("gqa-f32-untied.q4_0"), ids: ids),
                       try logits(Qwen2Reference.directory("gqa-f32-untied"), ModelOptions(weightPrecision: .q4_0), ids: ids))
    }

    func testF16FileEqualsTheF16Safetensors() throws {
        let reference = try Qwen2Reference.load("gqa-f16-untied-sharded").cases[2]
        let fromGGUF = try logits(gguf("gqa-f16.f16"), ids: reference.ids)
        XCTAssertEqual(fromGGUF, try logits(Qwen2Reference.directory("gqa-f16-untied-sharded"), ids: reference.ids))
        // And both equal transformers on those weights.
        XCTAssertLessThanOrEqual(maxAbsDifference(fromGGUF, reference.logits.flatMap { $0 }), 1e-4)
    }

    func testMetadataAndTensorTable() throws {
        let file = try GGUFFile(url: gguf("zoo-tiny.f32"))
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.metadata["general.architecture"], .string("qwen2"))
        XCTAssertEqual(try file.int("qwen2.block_count"), 2)
        XCTAssertEqual(file.tensors["token_embd.weight"]?.dimensions, [64, 384])
        XCTAssertEqual(file.metadata["tokenizer.ggml.tokens"]?.array?.count, 384)
    }

    // MARK: Malformed files

    private func mutated(_ change: (inout [UInt8]) -> Void) throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: gguf("gqa-f32-untied.f32")))
        change(&bytes)
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("broken.gguf")
        try Data(bytes).write(to: url)
        return url
    }

    private func assertError(_ url: URL, _ fragments: String..., line: UInt = #line) {
        XCTAssertThrowsError(try GGUFFile(url: url), line: line) { error in
            for fragment in [url.path] + fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", line: line)
            }
        }
    }

    func testBadMagicVersionAndTruncation() throws {
        assertError(try mutated { $0[0] = 0x47; $0[1] = 0x47; $0[2] = 0x4D; $0[3] = 0x4C }, "not a GGUF file")
        assertError(try mutated { $0[4] = 9 }, "version 9 is not supported")
        assertError(try mutated { $0.removeLast($0.count - 200) }, "runs past the end of the file")
        assertError(try mutated { $0.removeLast(1000) }, "tensor '", "runs past the end of the file")
        assertError(try mutated { $0 = [] }, "runs past the end")
    }

    func testUnknownTensorTypeNamesTheTensor() throws {
        let name = Array("blk.0.attn_q.weight".utf8)
        let url = try mutated { bytes in
            guard let start = (0..<(bytes.count - name.count)).first(where: { Array(bytes[$0..<($0 + name.count)]) == name }) else {
                return XCTFail("tensor name not found")
            }
            // name, then n_dims (u32), dims (2 × u64), then the type (u32).
            let typeOffset = start + name.count + 4 + 16
            bytes[typeOffset] = 99
        }
        assertError(url, "blk.0.attn_q.weight", "unknown tensor type 99")
    }

    func testMissingTensorIsNamed() throws {
        // Rename one tensor so the model cannot find it.
        let name = Array("blk.1.ffn_up.weight".utf8)
        let url = try mutated { bytes in
            if let start = (0..<(bytes.count - name.count)).first(where: { Array(bytes[$0..<($0 + name.count)]) == name }) {
                bytes[start + 6] = UInt8(ascii: "x")
            }
        }
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: url)) {
            XCTAssertTrue("\($0)".contains("blk.1.ffn_up.weight") && "\($0)".contains("not found"), "\($0)")
        }
    }
}
