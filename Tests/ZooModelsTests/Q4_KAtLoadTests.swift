import Foundation
import XCTest
import ZooCore
import ZooKernels
@testable import ZooModels
import ZooTestSupport

/// Quantization at load to q4_K (`WeightPrecision.q4_K`), with llama.cpp's q5_0 fallback for rows
/// that are not a multiple of 256 wide: the blocks equal llama.cpp's own quantizer's bit for bit
/// (fixtures by scripts/make_q5_fixtures.py through llama-cpp-python), and models stay close to
/// fp32 and decode like their prefill.
///
/// The blocks are compared as llama.cpp lays them out, so interleaving (which a VNNI machine applies
/// to q5_0 at load) is off here; `testInterleavedQ5_0KeepsTheBlocks` checks it loses nothing.
final class Q4_KAtLoadTests: XCTestCase {
    override func setUp() { MatrixMultiply.integerDotProducts = false }
    override func tearDown() { MatrixMultiply.integerDotProducts = MatrixMultiply.integerDotProductsAvailable }

    private func gguf(_ name: String) -> URL { Fixtures.url("gguf/\(name).gguf") }

    /// q4_K's q5_0 fallback keeps llama.cpp's blocks: interleaved where AVX-512 VNNI is in use, widened
    /// to q8_0 where the integer kernels run without it, row-major q5_0 blocks elsewhere, and every row
    /// dequantizes to llama.cpp's either way.
    func testQ5_0FallbackKeepsTheBlocks() throws {
        MatrixMultiply.integerDotProducts = true
        let source = try GGUFFile(url: gguf("q4_k-source.f32")), llama = try GGUFFile(url: gguf("q4_k-source.llama"))
        let t = try XCTUnwrap(source.tensors["narrow.weight"]), expected = try XCTUnwrap(llama.tensors["narrow.weight"])
        let (rows, columns) = (t.dimensions[1], t.dimensions[0])
        let w = try GGUFTensorSource(source).matrix("narrow.weight", rows: rows, columns: columns, precision: .q4_K)
        let dequantizeRow: (Int, UnsafeMutablePointer<Float>) -> Void
        switch w.storage {
        case .interleaved(let buffer) where InterleavedFormat.isPreferred && buffer.format == .q5_0:
            dequantizeRow = buffer.dequantizeRow
        case .kQuant(let buffer) where !InterleavedFormat.isPreferred && !WeightTensor.widensQ5_0 && buffer.format == .q5_0:
            dequantizeRow = buffer.dequantizeRow
        case .q8_0 where WeightTensor.widensQ5_0:
            dequantizeRow = w.copyRow
        default:
            return XCTFail("not q5_0 in the layout this CPU prefers (interleaved: \(InterleavedFormat.isPreferred))")
        }
        var reference = [Float](repeating: 0, count: rows * columns)
        KQuantFormat.q5_0.dequantize(llama.data(of: expected).assumingMemoryBound(to: UInt8.self), count: rows * columns, into: &reference)
        var row = [Float](repeating: 0, count: columns)
        for r in 0..<rows {
            row.withUnsafeMutableBufferPointer { dequantizeRow(r, $0.baseAddress!) }
            XCTAssertEqual(row, Array(reference[(r * columns)..<((r + 1) * columns)]), "row \(r)")
        }
    }

    private func bytes(_ pointer: UnsafePointer<UInt8>, _ count: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    private func blocks(_ w: WeightTensor, file: StaticString = #filePath, line: UInt = #line) throws -> KQuantBuffer {
        guard case .kQuant(let buffer) = w.storage else {
            XCTFail("not quantized to blocks", file: file, line: line)
            throw XCTSkip("not quantized")
        }
        return buffer
    }

    func testQuantizingAtLoadEqualsLlamaCppBitForBit() throws {
        let source = try GGUFFile(url: gguf("q4_k-source.f32")), llama = try GGUFFile(url: gguf("q4_k-source.llama"))
        let tensors = GGUFTensorSource(source)
        for (name, format, type) in [("normal.weight", KQuantFormat.q4_K, GGMLType.q4_K), ("mixed.weight", .q4_K, .q4_K),
                                     ("narrow.weight", .q5_0, .q5_0)] {
            let t = try XCTUnwrap(source.tensors[name])
            XCTAssertEqual(t.type, .f32)
            let expected = try XCTUnwrap(llama.tensors[name])
            XCTAssertEqual(expected.type, type, "llama.cpp's choice for \(name)")
            let w = try tensors.matrix(name, rows: t.dimensions[1], columns: t.dimensions[0], precision: .q4_K)
            let buffer = try blocks(w)
            XCTAssertEqual(buffer.format, format, name)
            XCTAssertEqual(bytes(buffer.blocks, expected.byteCount),
                           bytes(llama.data(of: expected).assumingMemoryBound(to: UInt8.self), expected.byteCount), name)
        }
        // Rows of 40 (not a multiple of 32) stay as stored; llama.cpp writes them as F16.
        let odd = try tensors.matrix("odd.weight", rows: 4, columns: 40, precision: .q4_K)
        guard case .f32 = odd.storage else { return XCTFail("odd.weight should stay F32") }
        XCTAssertEqual(llama.tensors["odd.weight"]?.type, .f16)
    }

    func testSixteenBitMatricesQuantizeTheirWidenedValuesSliceBySlice() throws {
        // gqa-bf16-tied's embedding: 320 rows of 64 (more rows than one widened slice), bf16.
        let checkpoint = try Checkpoint(directory: Qwen2Reference.directory("gqa-bf16-tied"))
        let name = "model.embed_tokens.weight"
        XCTAssertEqual(checkpoint.info(name)?.dtype, .bf16)
        let stored = try WeightTensor.load(checkpoint, name, rows: 320, columns: 64, precision: .asStored)
        let quantized = try blocks(stored.quantized(to: .q4_K))
        XCTAssertEqual(quantized.format, .q5_0)
        let widened = try checkpoint.floats(name, shape: [320, 64]).toArray()
        var expected = [UInt8](repeating: 0, count: 320 * 2 * 22)
        KQuantFormat.q5_0.quantize(widened, rows: 320, columns: 64, into: &expected)
        XCTAssertEqual(bytes(quantized.blocks, expected.count), expected)
        // Loading with the precision takes the same path.
        let loaded = try blocks(WeightTensor.load(checkpoint, name, rows: 320, columns: 64, precision: .q4_K))
        XCTAssertEqual(bytes(loaded.blocks, expected.count), expected)
    }

    private func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        let difference = zip(a, b).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        return (difference / b.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
    }

    func testQ4_KPrecisionStaysCloseAndDecodesLikePrefill() throws {
        // Rows of 64 to 176: every matrix takes the q5_0 fallback.
        var worst = 0.0
        for name in ["gqa-f32-untied", "gqa-bf16-tied"] {
            let ids = try Qwen2Reference.load(name).cases[2].ids
            let quantized = try ArchitectureRegistry.shared.load(
                directory: Qwen2Reference.directory(name), options: ModelOptions(weightPrecision: .q4_K))
            let exact = try ArchitectureRegistry.shared.load(
                directory: Qwen2Reference.directory(name), options: ModelOptions(weightPrecision: .f32))
            let full = try quantized.forward(ids, cache: quantized.makeCache(capacity: nil), logits: .all).values
            let reference = try exact.forward(ids, cache: exact.makeCache(capacity: nil), logits: .all).values
            worst = max(worst, relativeError(full, reference))
            let cache = quantized.makeCache(capacity: nil)
            var stepped = try quantized.forward(Array(ids.prefix(3)), cache: cache, logits: .all).values
            for id in ids.dropFirst(3) { stepped += try quantized.forward([id], cache: cache, logits: .last).values }
            XCTAssertEqual(stepped, full, name)
        }
        // These small random layers amplify rounding (q4_0 measures up to 0.49 on them); q5_0 has
        // twice its levels. The bound guards against a broken quantizer or kernel.
        XCTAssertLessThan(worst, 0.4)
        XCTAssertGreaterThan(worst, 0)
        print("q4_K (q5_0 fallback) worst relative L2 logit error on the fixtures: \(worst)")
    }

    func testQ4_KPrecisionOnAModelWithRowsOf256() throws {
        // llama-q4_k_m dequantized to F32, then quantized at load: ffn_down (rows of 256) to q4_K,
        // the rest (rows of 192) to q5_0, the tied embedding kept F32 for lookups.
        let file = try GGUFFile(url: gguf("llama-q4_k_m"))
        let types = Set(file.tensors.values.map(\.type)).subtracting([.f32])
        let configuration = try GGUFModelLoader.configuration(of: file, options: ModelOptions())
        let source = DequantizingSource(GGUFTensorSource(file), types: types)
        let down = try blocks(source.matrix("model.layers.1.mlp.down_proj.weight", rows: 192, columns: 256, precision: .q4_K))
        XCTAssertEqual(down.format, .q4_K)
        let up = try blocks(source.matrix("model.layers.1.mlp.up_proj.weight", rows: 256, columns: 192, precision: .q4_K))
        XCTAssertEqual(up.format, .q5_0)
        let ids = [1, 5, 9, 33, 300, 0, 17, 383]
        let quantized = try Qwen2Model(
            configuration: configuration, source: DequantizingSource(GGUFTensorSource(file), types: types), precision: .q4_K)
        let exact = try Qwen2Model(configuration: configuration, source: DequantizingSource(GGUFTensorSource(file), types: types))
        let q = try quantized.forward(ids, cache: quantized.makeCache(capacity: nil), logits: .all).values
        let f = try exact.forward(ids, cache: exact.makeCache(capacity: nil), logits: .all).values
        let error = relativeError(q, f)
        XCTAssertLessThan(error, 0.1)
        XCTAssertGreaterThan(error, 0)
        print("q4_K at load on llama-q4_k_m's weights: relative L2 logit error \(error)")
    }
}
