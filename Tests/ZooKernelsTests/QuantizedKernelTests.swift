import XCTest
import ZooKernels

/// The q8_0, q4_0 and 16-bit kernels with fp32 activations against float64 references on their
/// own weight values. (The integer kernels, which quantize the activations too, are in
/// `IntegerKernelTests`.)
final class QuantizedKernelTests: XCTestCase {
    override func setUp() { MatrixMultiply.integerDotProducts = false }
    override func tearDown() { MatrixMultiply.integerDotProducts = MatrixMultiply.integerDotProductsAvailable }

    func testQ8_0KernelEqualsItsDequantizedWeightsAndIsBatchIndependent() {
        let rows = 5, k = 96, n = 37
        let x = seededFloats(rows * k, seed: 1), w = seededFloats(n * k, seed: 2)
        var values = [Int8](repeating: 0, count: n * k), scales = [Float](repeating: 0, count: n * k / 32)
        MatrixMultiply.quantizeQ8_0(w, rows: n, inFeatures: k, values: &values, scales: &scales)
        // Quantization error is bounded by half a step per weight.
        for i in 0..<(n * k) {
            XCTAssertLessThanOrEqual(abs(Float(values[i]) * scales[i / 32] - w[i]), scales[i / 32] * 0.5 + 1e-3)
        }
        func run(_ rows: Int, _ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * n)
            values.withUnsafeBufferPointer { v in
                scales.withUnsafeBufferPointer { s in
                    MatrixMultiply.linear(x, rows: rows, inFeatures: k,
                                          weight: .q8_0(values: v.baseAddress!, scales: s.baseAddress!), outFeatures: n, into: &y)
                }
            }
            return y
        }
        let batched = run(rows, x)
        for t in 0..<rows {
            for o in 0..<n {
                var expected = 0.0
                for i in 0..<k { expected += Double(x[t * k + i]) * Double(values[o * k + i]) * Double(scales[o * (k / 32) + i / 32]) }
                XCTAssertEqual(Double(batched[t * n + o]), expected, accuracy: 1e-4)
            }
            XCTAssertEqual(run(1, Array(x[(t * k)..<((t + 1) * k)])), Array(batched[(t * n)..<((t + 1) * n)]))
        }
    }

    func testBF16KernelEqualsTheFloatKernelOnWidenedWeights() {
        // 20 token rows reach AVX2's prompt path, which widens a group of weight rows ahead of the tiles.
        for rows in [3, 20] {
            let k = 70, n = 9
            let x = seededFloats(rows * k, seed: 3)
            let halves: [UInt16] = seededFloats(n * k, seed: 4).map { UInt16($0.bitPattern >> 16) }
            let widened: [Float] = halves.map { Float(bitPattern: UInt32($0) << 16) }
            var y16 = [Float](repeating: 0, count: rows * n), y32 = y16
            halves.withUnsafeBufferPointer { h in
                MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: .bf16(h.baseAddress!), outFeatures: n, into: &y16)
            }
            MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: widened, outFeatures: n, into: &y32)
            XCTAssertEqual(y16, y32, "rows \(rows)")
        }
    }

    func testQ4_0KernelEqualsItsDequantizedWeights() {
        let rows = 3, k = 64, n = 10
        let x = seededFloats(rows * k, seed: 5), w = seededFloats(n * k, seed: 6)
        var nibbles = [UInt8](repeating: 0, count: n * k / 2), scales = [Float](repeating: 0, count: n * k / 32)
        MatrixMultiply.quantizeQ4_0(w, rows: n, inFeatures: k, nibbles: &nibbles, scales: &scales)
        func weight(_ o: Int, _ i: Int) -> Double {
            let b = i / 32, j = i % 32
            let byte = nibbles[o * k / 2 + b * 16 + j % 16]
            let q = j < 16 ? Int(byte & 0x0F) : Int(byte >> 4)
            return Double(q - 8) * Double(scales[o * (k / 32) + b])
        }
        for o in 0..<n { for i in 0..<k { XCTAssertLessThanOrEqual(abs(weight(o, i) - Double(w[o * k + i])), Double(abs(scales[o * (k / 32) + i / 32])) + 1e-3) } }
        var y = [Float](repeating: 0, count: rows * n)
        nibbles.withUnsafeBufferPointer { q in
            scales.withUnsafeBufferPointer { s in
                MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: .q4_0(nibbles: q.baseAddress!, scales: s.baseAddress!),
                                      outFeatures: n, into: &y)
            }
        }
        for t in 0..<rows {
            for o in 0..<n {
                var expected = 0.0
                for i in 0..<k { expected += Double(x[t * k + i]) * weight(o, i) }
                XCTAssertEqual(Double(y[t * n + o]), expected, accuracy: 1e-4)
            }
        }
    }
}
