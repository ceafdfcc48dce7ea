import Foundation
import XCTest
import ZooCore
import ZooKernels
@testable import ZooModels
import ZooTestSupport

/// The formats llama.cpp's Q4_K_M and Q5_K_M write for a Qwen2.5-0.5B-shaped model (rows not a
/// multiple of 256 wide fall back to Q5_0 / Q5_1 / Q8_0; ffn_down keeps Q4_K / Q5_K / Q6_K), on
/// fixtures by scripts/make_q5_fixtures.py: random blocks dequantized exactly as gguf-py does, and
/// two small models quantized by llama.cpp itself whose logits equal their dequantized weights'
/// in fp32, bit for bit.
final class GGUFFallbackTests: XCTestCase {
    private func gguf(_ name: String) -> URL { Fixtures.url("gguf/\(name).gguf") }

    private func floats(_ file: GGUFFile, _ name: String) throws -> [Float] {
        let t = try XCTUnwrap(file.tensors[name], name)
        return try GGUFTensorSource(file).floats(name, shape: t.dimensions.reversed()).toArray()
    }

    // MARK: Dequantization

    func testDequantizationEqualsGGUFPyBitForBit() throws {
        // q4_1 is not a fallback type, but older conversions write it (scripts/make_q4_1_fixtures.py).
        for (fixture, name, type, format, dimensions) in [
            ("q5-blocks", "q5_0", GGMLType.q5_0, KQuantFormat.q5_0, [128, 6]), ("q5-blocks", "q5_1", .q5_1, .q5_1, [128, 6]),
            ("q5-blocks", "q5_K", .q5_K, .q5_K, [512, 12]), ("q4_1-blocks", "q4_1", .q4_1, .q4_1, [128, 6]),
        ] {
            let file = try GGUFFile(url: gguf(fixture))
            let t = try XCTUnwrap(file.tensors[name])
            XCTAssertEqual(t.type, type)
            XCTAssertEqual(t.dimensions, dimensions)
            XCTAssertEqual(t.byteCount, t.elementCount / format.blockValues * format.blockBytes)
            XCTAssertEqual(file.tensors[name + ".dequantized"]?.type, .f32)
            let reference = try floats(file, name + ".dequantized")
            // Through the loader (row by row) and through the kernel library's dequantizer (whole tensor).
            XCTAssertEqual(try floats(file, name).map(\.bitPattern), reference.map(\.bitPattern), name)
            var whole = [Float](repeating: .nan, count: t.elementCount)
            format.dequantize(file.data(of: t).assumingMemoryBound(to: UInt8.self), count: t.elementCount, into: &whole)
            XCTAssertEqual(whole.map(\.bitPattern), reference.map(\.bitPattern), name)
        }
    }

    // MARK: Models quantized by llama.cpp

    func testLlamaCppWroteTheFallbackTypes() throws {
        for (name, small, ffnDown, embedding, output) in [
            ("llama-q4_k_m", GGMLType.q5_0, GGMLType.q4_K, GGMLType.q8_0, GGMLType?.none),
            ("llama-q5_k_m", .q5_1, .q5_K, .q5_1, .q8_0),
        ] {
            let file = try GGUFFile(url: gguf(name))
            XCTAssertEqual(try file.int("qwen2.embedding_length"), 192, "rows of 192: not a multiple of 256")
            XCTAssertEqual(file.tensors["token_embd.weight"]?.type, embedding, name)
            XCTAssertEqual(file.tensors["output.weight"]?.type, output, name)
            for layer in 0..<2 {
                for matrix in ["attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"] {
                    XCTAssertEqual(file.tensors["blk.\(layer).\(matrix).weight"]?.type, small, "\(name) \(matrix)")
                }
                // llama.cpp gives more bits to some layers' attn_v and ffn_down (here layer 1).
                XCTAssertEqual(file.tensors["blk.\(layer).attn_v.weight"]?.type, layer == 0 ? small : .q8_0, name)
                XCTAssertEqual(file.tensors["blk.\(layer).ffn_down.weight"]?.type, layer == 0 ? ffnDown : .q6_K, name)
            }
        }
    }

    private let ids = [1, 5, 9, 33, 300, 0, 17, 383, 40, 361]

    private func logits(_ model: any LanguageModel) throws -> [Float] {
        try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all).values
    }

    /// `file`'s model with the weights of the given GGUF types dequantized to F32 (by the loader,
    /// checked here against gguf-py's digests in `gguf/<digests>.dequantized.json`), the others as the GGUF
    /// loader keeps them.
    private func dequantizedModel(_ file: GGUFFile, types: Set<GGMLType>, digests digestFile: String = "llama-k_m") throws
        -> any LanguageModel
    {
        let digests = try JSONDecoder().decode(
            [String: String].self, from: Data(contentsOf: Fixtures.url("gguf/\(digestFile).dequantized.json")))
        let stem = file.url.deletingPathExtension().lastPathComponent
        var checked = 0
        for (name, t) in file.tensors where t.type != .f32 {
            XCTAssertEqual(fnv1a64(try floats(file, name)), digests["\(stem):\(name)"], "\(name) differs from gguf.quants.dequantize")
            checked += 1
        }
        XCTAssertEqual(checked, digests.keys.filter { $0.hasPrefix(stem + ":") }.count)
        return try Qwen2Model(
            configuration: GGUFModelLoader.configuration(of: file, options: ModelOptions()),
            source: DequantizingSource(GGUFTensorSource(file), types: types))
    }

    private func checkAgainstDequantizedWeights(_ name: String) throws {
        let url = gguf(name)
        let model = try ArchitectureRegistry.shared.load(directory: url)
        let quantized = try logits(model)
        XCTAssertEqual(quantized.count, ids.count * 384)
        let file = try GGUFFile(url: url)
        // Every in-place format as F32; Q8_0 (converted at load, with its own kernel order) as on both sides.
        let inPlace = Set(file.tensors.values.map(\.type).filter { KQuantFormat($0) != nil })
        XCTAssertTrue(inPlace.isSuperset(of: [.q6_K]) && inPlace.count == 3, "\(name): \(inPlace)")
        // Q5_0 and Q4_K go to the interleaved integer kernels where the CPU has VNNI (as Q8_0 does), and to
        // q8_0 and q4_Kb32 integer kernels where they run without VNNI: on both sides.
        let fused = InterleavedFormat.isPreferred ? inPlace.subtracting([.q5_0, .q4_K])
            : inPlace.subtracting((WeightTensor.widensQ5_0 ? [.q5_0] : []) + (WeightTensor.unpacksQ4_K ? [.q4_K] : []))
        let reference = try logits(dequantizedModel(file, types: fused))
        XCTAssertGreaterThan(reference.map(abs).max()!, 0.5)
        // Bit for bit: the fused kernels dequantize exactly and accumulate in the fp32 kernel's order.
        XCTAssertEqual(quantized, reference, name)
        // And every matrix in F32, Q8_0 included: close, with fp32 activations for Q8_0 too (the
        // q8_0 kernel sums each block before scaling it). The switch is read at load (whether Q8_0
        // rows are interleaved for the integer kernels), so the model is loaded again.
        let integer = MatrixMultiply.integerDotProducts
        MatrixMultiply.integerDotProducts = false
        defer { MatrixMultiply.integerDotProducts = integer }
        let f32 = try logits(dequantizedModel(file, types: inPlace.union([.q8_0])))
        let floatActivations = try logits(ArchitectureRegistry.shared.load(directory: url))
        XCTAssertLessThanOrEqual(maxAbsDifference(floatActivations, f32), 1e-5 * f32.map(abs).max()!, name)
    }

    func testLlamaCppQ4_K_MFileEqualsItsDequantizedWeightsInF32() throws {
        try checkAgainstDequantizedWeights("llama-q4_k_m")
    }

    func testLlamaCppQ5_K_MFileEqualsItsDequantizedWeightsInF32() throws {
        try checkAgainstDequantizedWeights("llama-q5_k_m")
    }

    /// Every matrix in Q4_1 (scripts/make_q4_1_fixtures.py: quantized by gguf-py, embedding and output
    /// included): the logits equal the model on gguf-py's dequantized weights in F32, bit for bit.
    func testQ4_1FileEqualsItsDequantizedWeightsInF32() throws {
        let url = gguf("q4_1-tiny")
        let quantized = try logits(ArchitectureRegistry.shared.load(directory: url))
        XCTAssertEqual(quantized.count, ids.count * 384)
        let file = try GGUFFile(url: url)
        XCTAssertEqual(Set(file.tensors.values.map(\.type)), [.f32, .q4_1])
        let reference = try logits(dequantizedModel(file, types: [.q4_1], digests: "q4_1-tiny"))
        XCTAssertGreaterThan(reference.map(abs).max()!, 0.5)
        XCTAssertEqual(quantized, reference)
    }

    func testCachedDecodeEqualsRecomputationBitForBit() throws {
        for name in ["llama-q4_k_m", "llama-q5_k_m", "q4_1-tiny"] {
            let model = try ArchitectureRegistry.shared.load(directory: gguf(name))
            try assertCachedDecodeEqualsRecomputation(model, ids: ids, all: logits(model), vocabulary: 384, name)
        }
    }

    // MARK: Malformed files

    func testRowsThatDoNotFillWholeQ5_0BlocksAreNamed() throws {
        // attn_q as [48, 768]: the same number of values, rows of one and a half blocks.
        let url = try GGUFSurgery.mutated(gguf("llama-q4_k_m")) { bytes in
            let offset = try GGUFSurgery.dimensionsOffset("blk.0.attn_q.weight", in: bytes)
            GGUFSurgery.write(48, at: offset, in: &bytes)
            GGUFSurgery.write(768, at: offset + 8, in: &bytes)
        }
        GGUFSurgery.assertError(try GGUFFile(url: url), url, "blk.0.attn_q.weight", "rows of 48 do not fill whole Q5_0 blocks of 32")
    }

    func testUnsupportedTypeNamesTheTensorAndType() throws {
        // ffn_up as IQ4_NL (18-byte blocks of 32, so its data still lies inside the file).
        let url = try GGUFSurgery.mutated(gguf("llama-q4_k_m")) { bytes in
            let typeOffset = try GGUFSurgery.dimensionsOffset("blk.0.ffn_up.weight", in: bytes) + 16
            XCTAssertEqual(bytes[typeOffset], 6)
            bytes[typeOffset] = 20
        }
        GGUFSurgery.assertError(try ArchitectureRegistry.shared.load(directory: url), url,
                    "blk.0.ffn_up.weight", "type IQ4_NL is not supported yet", "Q5_0, Q5_1, Q4_1")
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
}
