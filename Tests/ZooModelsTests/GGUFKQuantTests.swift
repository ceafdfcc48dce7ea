import Foundation
import XCTest
import ZooCore
import ZooKernels
@testable import ZooModels
import ZooTestSupport

/// Q4_K and Q6_K tensors (fixtures by scripts/make_kquant_fixtures.py, reference values by gguf-py):
/// dequantized exactly as gguf-py does, a model of them gives the logits of its dequantized weights
/// in fp32 bit for bit, and malformed files give clear errors.
final class GGUFKQuantTests: XCTestCase {
    private func gguf(_ name: String) -> URL { Fixtures.url("gguf/\(name).gguf") }

    private func floats(_ file: GGUFFile, _ name: String) throws -> [Float] {
        let t = try XCTUnwrap(file.tensors[name])
        return try GGUFTensorSource(file).floats(name, shape: t.dimensions.reversed()).toArray()
    }

    // MARK: Dequantization

    func testDequantizationEqualsGGUFPyBitForBit() throws {
        let file = try GGUFFile(url: gguf("kquant-blocks"))
        for (name, type) in [("q4_K", GGMLType.q4_K), ("q6_K", .q6_K)] {
            XCTAssertEqual(file.tensors[name]?.type, type)
            XCTAssertEqual(file.tensors[name]?.dimensions, [512, 12])
            let reference = try floats(file, name + ".dequantized")
            XCTAssertEqual(file.tensors[name + ".dequantized"]?.type, .f32)
            // Through the loader (row by row) and through the kernel library's dequantizer (whole tensor).
            XCTAssertEqual(try floats(file, name).map(\.bitPattern), reference.map(\.bitPattern), name)
            let t = try XCTUnwrap(file.tensors[name])
            var whole = [Float](repeating: .nan, count: t.elementCount)
            let format: KQuantFormat = type == .q4_K ? .q4_K : .q6_K
            format.dequantize(file.data(of: t).assumingMemoryBound(to: UInt8.self), count: t.elementCount, into: &whole)
            XCTAssertEqual(whole.map(\.bitPattern), reference.map(\.bitPattern), name)
        }
    }

    // MARK: A model

    private let ids = [1, 5, 9, 33, 62, 0, 17, 40]

    private func logits(_ model: any LanguageModel) throws -> [Float] {
        try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all).values
    }

    private func fnv1a64(_ values: [Float]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for value in values {
            for shift in stride(from: 0, to: 32, by: 8) {
                hash = (hash ^ UInt64((value.bitPattern >> UInt32(shift)) & 0xFF)) &* 0x100_0000_01B3
            }
        }
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The kquant-tiny weights dequantized to F32 (checked against gguf-py's digests) as a safetensors checkpoint.
    private func dequantizedCheckpoint() throws -> URL {
        let file = try GGUFFile(url: gguf("kquant-tiny"))
        let digests = try JSONDecoder().decode(
            [String: String].self, from: Data(contentsOf: Fixtures.url("gguf/kquant-tiny.dequantized.json")))
        let layer = ["input_layernorm.weight", "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
                     "mlp.down_proj.weight", "self_attn.o_proj.weight"]
            + ["q", "k", "v"].flatMap { ["self_attn.\($0)_proj.weight", "self_attn.\($0)_proj.bias"] }
        let names = ["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"] + layer.map { "model.layers.0.\($0)" }
        XCTAssertEqual(names.count, file.tensors.count)
        var tensors: [SafetensorsWriter.Tensor] = [], quantized = 0
        for hf in names {
            let name = GGUFTensorSource.ggufName(hf)
            let t = try XCTUnwrap(file.tensors[name], name)
            let values = try floats(file, name)
            if t.type == .q4_K || t.type == .q6_K {
                XCTAssertEqual(fnv1a64(values), digests[name], "\(name) differs from gguf.quants.dequantize")
                quantized += 1
            }
            tensors.append(SafetensorsWriter.tensorF32(hf, t.dimensions.reversed(), values))
        }
        XCTAssertEqual(quantized, digests.count)
        let dir = try Fixtures.temporaryDirectory("kquant")
        try SafetensorsWriter.file(tensors).write(to: dir.appendingPathComponent("model.safetensors"))
        let config: [String: Any] = [
            "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 64, "hidden_size": 256,
            "intermediate_size": 256, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2,
            "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": false,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        return dir
    }

    func testQ4_KAndQ6_KFileEqualsItsDequantizedWeightsInF32() throws {
        let reference = try logits(ArchitectureRegistry.shared.load(directory: dequantizedCheckpoint()))
        XCTAssertGreaterThan(reference.map(abs).max()!, 0.5)
        // With fp32 activations, bit for bit: the fused kernels dequantize exactly and accumulate in the
        // fp32 kernel's order. (The switch is read at load, whether q4_K is interleaved.)
        MatrixMultiply.integerDotProducts = false
        defer { MatrixMultiply.integerDotProducts = MatrixMultiply.integerDotProductsAvailable }
        let exact = try logits(ArchitectureRegistry.shared.load(directory: gguf("kquant-tiny")))
        XCTAssertEqual(exact.count, ids.count * 64)
        XCTAssertEqual(exact, reference)
        // With 8-bit activations (q4_K interleaved for VNNI where the CPU has it), close.
        MatrixMultiply.integerDotProducts = MatrixMultiply.integerDotProductsAvailable
        let integer = try logits(ArchitectureRegistry.shared.load(directory: gguf("kquant-tiny")))
        let scale = reference.map(abs).max()!
        let worst = zip(integer, reference).map { abs($0 - $1) }.max()! / scale
        print("q4_K/q6_K file with the default kernels: worst logit difference / largest logit \(worst)")
        XCTAssertLessThan(worst, 2e-2)
    }

    func testCachedDecodeEqualsRecomputationBitForBit() throws {
        let model = try ArchitectureRegistry.shared.load(directory: gguf("kquant-tiny"))
        try assertCachedDecodeEqualsRecomputation(model, ids: ids, all: logits(model), vocabulary: 64)
    }

    // MARK: Malformed files

    func testRowsThatDoNotFillWholeBlocksAreNamed() throws {
        // attn_q as [128, 512]: the same number of values, rows of half a block.
        let url = try GGUFSurgery.mutated(gguf("kquant-tiny")) { bytes in
            let offset = try GGUFSurgery.dimensionsOffset("blk.0.attn_q.weight", in: bytes)
            GGUFSurgery.write(128, at: offset, in: &bytes)
            GGUFSurgery.write(512, at: offset + 8, in: &bytes)
        }
        GGUFSurgery.assertError(try GGUFFile(url: url), url, "blk.0.attn_q.weight", "rows of 128 do not fill whole Q4_K blocks of 256")
    }

    func testTruncatedDataNamesTheTensor() throws {
        let url = try GGUFSurgery.mutated(gguf("kquant-tiny")) { $0.removeLast(100) }
        GGUFSurgery.assertError(try GGUFFile(url: url), url, "tensor 'output.weight'", "runs past the end of the file")
    }

    func testUnsupportedKQuantNamesTheTensorAndType() throws {
        // ffn_down as Q3_K (110-byte blocks, so its data still lies inside the file).
        let url = try GGUFSurgery.mutated(gguf("kquant-tiny")) { bytes in
            let typeOffset = try GGUFSurgery.dimensionsOffset("blk.0.ffn_down.weight", in: bytes) + 16
            XCTAssertEqual(bytes[typeOffset], 14)
            bytes[typeOffset] = 11
        }
        GGUFSurgery.assertError(try ArchitectureRegistry.shared.load(directory: url), url,
                    "blk.0.ffn_down.weight", "type Q3_K is not supported yet", "Q4_K, Q5_K, Q6_K are")
    }
}
