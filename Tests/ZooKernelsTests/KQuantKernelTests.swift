import XCTest
@testable import ZooKernels

/// The fused kernels of the in-place block formats (q4_K, q5_K, q6_K, q5_0, q5_1, q4_1) against the fp32 kernel (bit for bit) and a float64 product of
/// the dequantized weights, on every instruction set this CPU has (the dequantizer itself is
/// checked against gguf-py in GGUFKQuantTests).
final class KQuantKernelTests: XCTestCase {
    private struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        /// In [-1, 1).
        mutating func float() -> Float { Float(Int64(next() & 0xFF_FFFF) - (1 << 23)) / Float(1 << 23) }
    }

    /// Random blocks whose fp16 factors are finite (magnitudes 2⁻¹⁰ to 2⁻³, either sign).
    func randomBlocks(_ format: KQuantFormat, count: Int, seed: UInt64) -> [UInt8] {
        var g = Generator(state: seed)
        var bytes = (0..<(count / format.blockValues * format.blockBytes)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        func half() -> [UInt8] {
            let bits = UInt16(g.next() & 1) << 15 | UInt16(5 + g.next() % 8) << 10 | UInt16(g.next() & 0x3FF)
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        // Where each block keeps its fp16 factors (d, and dmin or m).
        let halves = switch format {
        case .q4_K, .q5_K, .q5_1, .q4_1: [0, 2]
        case .q6_K: [208]
        case .q5_0: [0]
        }
        for b in 0..<(count / format.blockValues) {
            for offset in halves {
                let base = b * format.blockBytes + offset
                bytes.replaceSubrange(base..<(base + 2), with: half())
            }
        }
        return bytes
    }

    private func linear(_ format: KQuantFormat, _ x: [Float], rows: Int, k: Int, _ blocks: [UInt8], n: Int,
                        initial: [Float]? = nil) -> [Float] {
        var y = initial ?? [Float](repeating: .nan, count: rows * n)
        blocks.withUnsafeBufferPointer { b in
            MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: format.weightData(b.baseAddress!), outFeatures: n,
                                  into: &y, accumulate: initial != nil)
        }
        return y
    }

    private var instructionSets: [String] { MatrixMultiply.reachableInstructionSets }

    private func checkAgainstDequantizedWeights(_ format: KQuantFormat) {
        // Rows of 896 (Qwen2.5-0.5B's width) for the formats of blocks of 32.
        let k = format.blockValues == 32 ? 896 : 768, n = 37
        let blocks = randomBlocks(format, count: n * k, seed: 11 + UInt64(KQuantFormat.allCases.firstIndex(of: format)!))
        var w = [Float](repeating: 0, count: n * k)
        blocks.withUnsafeBufferPointer { format.dequantize($0.baseAddress!, count: n * k, into: &w) }
        XCTAssertTrue(w.allSatisfy(\.isFinite))
        var g = Generator(state: 99)
        let x = (0..<(17 * k)).map { _ in g.float() }
        for isa in instructionSets {
            MatrixMultiply.withInstructionSet(isa) {
                XCTAssertEqual(MatrixMultiply.nativeInstructionSet, isa)
                for rows in [1, 3, 17] {
                    let y = linear(format, x, rows: rows, k: k, blocks, n: n)
                    // Dequantizing is exact in fp32 and the accumulation order is linear_f32.c's.
                    var fp32 = [Float](repeating: .nan, count: rows * n)
                    MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: w, outFeatures: n, into: &fp32)
                    XCTAssertEqual(y, fp32, "\(format) \(isa) rows \(rows): the fp32 kernel on the dequantized weights")
                    for t in 0..<rows {
                        for o in 0..<n {
                            var exact = 0.0, magnitude = 0.0
                            for i in 0..<k {
                                let p = Double(x[t * k + i]) * Double(w[o * k + i])
                                exact += p
                                magnitude += abs(p)
                            }
                            // fp32 accumulation over k terms (the dequantized weights are exact).
                            XCTAssertEqual(Double(y[t * n + o]), exact, accuracy: 1e-6 * magnitude,
                                           "\(format) \(isa) rows \(rows) token \(t) output \(o)")
                        }
                        // A row alone equals the same row of the batch, bit for bit.
                        if rows > 1 {
                            XCTAssertEqual(linear(format, Array(x[(t * k)..<((t + 1) * k)]), rows: 1, k: k, blocks, n: n),
                                           Array(y[(t * n)..<((t + 1) * n)]), "\(format) \(isa) token \(t)")
                        }
                    }
                }
                let initial = (0..<(3 * n)).map { Float($0) }
                let plain = linear(format, x, rows: 3, k: k, blocks, n: n)
                let summed = linear(format, x, rows: 3, k: k, blocks, n: n, initial: initial)
                for i in plain.indices { XCTAssertEqual(summed[i], plain[i] + initial[i], "\(format) \(isa) accumulate") }
            }
        }
    }

    func testQ4_KKernelEqualsItsDequantizedWeightsOnEveryInstructionSet() {
        checkAgainstDequantizedWeights(.q4_K)
    }

    func testQ6_KKernelEqualsItsDequantizedWeightsOnEveryInstructionSet() {
        checkAgainstDequantizedWeights(.q6_K)
    }

    func testQ5_KKernelEqualsItsDequantizedWeightsOnEveryInstructionSet() {
        checkAgainstDequantizedWeights(.q5_K)
    }

    func testQ5_0KernelEqualsItsDequantizedWeightsOnEveryInstructionSet() {
        checkAgainstDequantizedWeights(.q5_0)
    }

    func testQ5_1KernelEqualsItsDequantizedWeightsOnEveryInstructionSet() {
        checkAgainstDequantizedWeights(.q5_1)
    }

    func testQ4_1KernelEqualsItsDequantizedWeightsOnEveryInstructionSet() {
        checkAgainstDequantizedWeights(.q4_1)
    }

    func testSIMDPathsAgreeWithThePortableOne() {
        let k = 512, n = 9, rows = 5
        var g = Generator(state: 5)
        let x = (0..<(rows * k)).map { _ in g.float() }
        XCTAssertEqual(KQuantFormat.allCases.count, 6)
        for format in KQuantFormat.allCases {
            let blocks = randomBlocks(format, count: n * k, seed: 21)
            var w = [Float](repeating: 0, count: n * k)
            blocks.withUnsafeBufferPointer { format.dequantize($0.baseAddress!, count: n * k, into: &w) }
            let portable = MatrixMultiply.withInstructionSet("generic") { linear(format, x, rows: rows, k: k, blocks, n: n) }
            for isa in instructionSets where isa != "generic" {
                let simd = MatrixMultiply.withInstructionSet(isa) { linear(format, x, rows: rows, k: k, blocks, n: n) }
                for t in 0..<rows {
                    for o in 0..<n {
                        let magnitude = (0..<k).reduce(0.0) { $0 + abs(Double(x[t * k + $1]) * Double(w[o * k + $1])) }
                        XCTAssertEqual(Double(simd[t * n + o]), Double(portable[t * n + o]), accuracy: 1e-6 * magnitude,
                                       "\(format) \(isa) token \(t) output \(o)")
                    }
                }
            }
        }
    }

    func testQ5_0WidenedToQ8_0HoldsTheSameWeights() {
        // Where the integer kernels run without VNNI, q5_0 matrices are read as q8_0 (WeightTensor.widensQ5_0):
        // scale × value must be the dequantized weight exactly, so nothing changes but the kernel.
        let k = 896, n = 7
        let blocks = randomBlocks(.q5_0, count: n * k, seed: 31)
        var w = [Float](repeating: 0, count: n * k)
        blocks.withUnsafeBufferPointer { KQuantFormat.q5_0.dequantize($0.baseAddress!, count: n * k, into: &w) }
        var values = [Int8](repeating: 0, count: n * k), scales = [Float](repeating: 0, count: n * k / 32)
        blocks.withUnsafeBufferPointer {
            MatrixMultiply.widenQ5_0($0.baseAddress!, rows: n, inFeatures: k, values: &values, scales: &scales)
        }
        XCTAssertTrue(values.allSatisfy { (-16...15).contains($0) })
        for i in w.indices { XCTAssertEqual(scales[i / 32] * Float(values[i]), w[i], "weight \(i)") }
        // Through the q8_0 products (integer ones where they are on), the product of the dequantized weights.
        var g = Generator(state: 3)
        let x = (0..<(3 * k)).map { _ in g.float() }
        var y = [Float](repeating: .nan, count: 3 * n)
        values.withUnsafeBufferPointer { v in
            scales.withUnsafeBufferPointer { s in
                MatrixMultiply.linear(x, rows: 3, inFeatures: k, weight: .q8_0(values: v.baseAddress!, scales: s.baseAddress!),
                                      outFeatures: n, into: &y)
            }
        }
        for t in 0..<3 {
            for o in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for i in 0..<k {
                    exact += Double(x[t * k + i]) * Double(w[o * k + i])
                    magnitude += abs(Double(x[t * k + i]) * Double(w[o * k + i]))
                }
                // 8-bit activations: within their rounding (1/254 of each block's largest) of the exact product.
                XCTAssertEqual(Double(y[t * n + o]), exact, accuracy: 1e-2 * magnitude, "token \(t) output \(o)")
            }
        }
    }

    func testQ4_KUnpackedIntoBlocksOf32HoldsTheSameWeightsAndItsKernelsAgree() throws {
        // Where AVX2 runs the integer kernels, q4_K matrices are unpacked into q4_Kb32 (WeightTensor.unpacksQ4_K).
        let k = 768, n = 9, rows = 5
        let blocks = randomBlocks(.q4_K, count: n * k, seed: 41)
        var w = [Float](repeating: 0, count: n * k)
        blocks.withUnsafeBufferPointer { KQuantFormat.q4_K.dequantize($0.baseAddress!, count: n * k, into: &w) }
        var nibbles = [UInt8](repeating: 0, count: n * k / 2), factors = [Float](repeating: 0, count: n * k / 16)
        blocks.withUnsafeBufferPointer {
            MatrixMultiply.unpackQ4_K($0.baseAddress!, rows: n, inFeatures: k, nibbles: &nibbles, factors: &factors)
        }
        var g = Generator(state: 7)
        let x = (0..<(rows * k)).map { _ in g.float() }
        func product() -> [Float] {
            var y = [Float](repeating: .nan, count: rows * n)
            nibbles.withUnsafeBufferPointer { q in
                factors.withUnsafeBufferPointer { f in
                    let data = WeightData.q4_Kb32(nibbles: q.baseAddress!, factors: f.baseAddress!)
                    for r in 0..<n {
                        // Every row decodes to gguf-py's dequantization, bit for bit.
                        var row = [Float](repeating: .nan, count: k)
                        data.decodeRow(r, columns: k, into: &row)
                        XCTAssertEqual(row, Array(w[(r * k)..<((r + 1) * k)]), "row \(r)")
                    }
                    MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: data, outFeatures: n, into: &y)
                }
            }
            return y
        }
        let portable = MatrixMultiply.withInstructionSet("generic") { product() }
        for isa in instructionSets {
            let y = MatrixMultiply.withInstructionSet(isa) { product() }
            // The AVX2 kernel performs the portable one's operations: equal bit for bit.
            XCTAssertEqual(y, portable, isa)
            for t in 0..<rows {
                for o in 0..<n {
                    var exact = 0.0, magnitude = 0.0
                    for i in 0..<k {
                        exact += Double(x[t * k + i]) * Double(w[o * k + i])
                        magnitude += abs(Double(x[t * k + i]) * Double(w[o * k + i]))
                    }
                    // 8-bit activations: within their rounding of the exact product.
                    XCTAssertEqual(Double(y[t * n + o]), exact, accuracy: 1e-2 * magnitude, "\(isa) token \(t) output \(o)")
                }
                // A row alone equals the same row of the batch, bit for bit.
                let alone: [Float] = MatrixMultiply.withInstructionSet(isa) {
                    var one = [Float](repeating: .nan, count: n)
                    nibbles.withUnsafeBufferPointer { q in
                        factors.withUnsafeBufferPointer { f in
                            MatrixMultiply.linear(Array(x[(t * k)..<((t + 1) * k)]), rows: 1, inFeatures: k,
                                                  weight: .q4_Kb32(nibbles: q.baseAddress!, factors: f.baseAddress!),
                                                  outFeatures: n, into: &one)
                        }
                    }
                    return one
                }
                XCTAssertEqual(alone, Array(y[(t * n)..<((t + 1) * n)]), "\(isa) token \(t)")
            }
        }
    }

    func testBytesPerWeight() {
        let blocks = [UInt8](repeating: 0, count: 1)
        blocks.withUnsafeBufferPointer { b in
            XCTAssertEqual(WeightData.q4_K(b.baseAddress!).bytesPerWeight * 8, 4.5)
            XCTAssertEqual(WeightData.q6_K(b.baseAddress!).bytesPerWeight * 8, 6.5625)
            XCTAssertEqual(WeightData.q5_K(b.baseAddress!).bytesPerWeight * 8, 5.5)
            XCTAssertEqual(WeightData.q5_0(b.baseAddress!).bytesPerWeight * 8, 5.5)
            XCTAssertEqual(WeightData.q5_1(b.baseAddress!).bytesPerWeight * 8, 6)
            XCTAssertEqual(KQuantFormat.q4_1.weightData(b.baseAddress!).bytesPerWeight * 8, 5)
        }
    }
}
