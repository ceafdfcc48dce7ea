import CZooKernels
import XCTest

@testable import ZooKernels

/// q8_0 and q4_0 products with 8-bit activations and integer dot products (llama.cpp's arithmetic):
/// against a float64 reference on the quantized values, row by row, and SIMD against portable C.
final class IntegerKernelTests: XCTestCase {
    override func setUp() { MatrixMultiply.integerDotProducts = true }
    override func tearDown() { MatrixMultiply.integerDotProducts = MatrixMultiply.integerDotProductsAvailable }

    /// llama.cpp's activation blocks, written out independently of the C code: d = max|x| / 127,
    /// q = x / d rounded half to even.
    private func quantizedActivations(_ x: [Float], k: Int) -> (q: [Int], d: [Double]) {
        var q: [Int] = [], d: [Double] = []
        for block in stride(from: 0, to: x.count, by: 32) {
            let values = x[block..<(block + 32)]
            let scale = values.map { abs($0) }.max()! / 127
            let inverse = scale != 0 ? 1 / scale : 0
            q += values.map { Int(($0 * inverse).rounded(.toNearestOrEven)) }
            d.append(Double(scale))
        }
        return (q, d)
    }

    private enum Format { case q8, q4 }

    /// Runs the product through `MatrixMultiply.linear` and returns it with the float64 reference.
    private func check(_ format: Format, rows: Int, k: Int, n: Int, seed: UInt64) {
        let x = seededFloats(rows * k, seed: seed), w = seededFloats(n * k, seed: seed + 1)
        let blocks = k / 32
        var scales = [Float](repeating: 0, count: n * blocks)
        var values = [Int8](repeating: 0, count: n * k), nibbles = [UInt8](repeating: 0, count: n * k / 2)
        switch format {
        case .q8: MatrixMultiply.quantizeQ8_0(w, rows: n, inFeatures: k, values: &values, scales: &scales)
        case .q4: MatrixMultiply.quantizeQ4_0(w, rows: n, inFeatures: k, nibbles: &nibbles, scales: &scales)
        }
        func weight(_ o: Int, _ i: Int) -> Int {
            switch format {
            case .q8: return Int(values[o * k + i])
            case .q4:
                let byte = nibbles[o * k / 2 + (i / 32) * 16 + (i % 32) % 16]
                return (i % 32 < 16 ? Int(byte & 0x0F) : Int(byte >> 4)) - 8
            }
        }
        func run(_ rows: Int, _ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * n)
            values.withUnsafeBufferPointer { v in
                nibbles.withUnsafeBufferPointer { q in
                    scales.withUnsafeBufferPointer { s in
                        let data: WeightData = format == .q8
                            ? .q8_0(values: v.baseAddress!, scales: s.baseAddress!)
                            : .q4_0(nibbles: q.baseAddress!, scales: s.baseAddress!)
                        MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: data, outFeatures: n, into: &y)
                    }
                }
            }
            return y
        }
        let batched = run(rows, x)
        for t in 0..<rows {
            let (xq, xd) = quantizedActivations(Array(x[(t * k)..<((t + 1) * k)]), k: k)
            for o in 0..<n {
                var expected = 0.0
                for b in 0..<blocks {
                    var dot = 0
                    for i in (b * 32)..<(b * 32 + 32) { dot += xq[i] * weight(o, i) }
                    expected += Double(dot) * Double(scales[o * blocks + b]) * xd[b]
                }
                XCTAssertEqual(Double(batched[t * n + o]), expected, accuracy: 1e-4 * max(1, abs(expected)), "\(format) t\(t) o\(o)")
            }
            // A decode step equals the same row of a prefill, bit for bit.
            XCTAssertEqual(run(1, Array(x[(t * k)..<((t + 1) * k)])), Array(batched[(t * n)..<((t + 1) * n)]))
        }
    }

    func testQ8_0AgainstTheFloat64Reference() {
        for isa in MatrixMultiply.reachableInstructionSets {
            MatrixMultiply.withInstructionSet(isa) {
                check(.q8, rows: 5, k: 128, n: 37, seed: 11)
                check(.q8, rows: 3, k: 96, n: 9, seed: 12)  // an odd number of blocks
            }
        }
    }

    func testQ4_0AgainstTheFloat64Reference() {
        for isa in MatrixMultiply.reachableInstructionSets {
            MatrixMultiply.withInstructionSet(isa) {
                check(.q4, rows: 5, k: 128, n: 37, seed: 13)
                check(.q4, rows: 2, k: 160, n: 21, seed: 14)
            }
        }
    }

    func testLargeProductsUseEveryThreadAndStillMatch() {
        Parallel.threadCount = 2
        check(.q8, rows: 17, k: 256, n: 300, seed: 15)
        check(.q4, rows: 17, k: 256, n: 300, seed: 16)
        Parallel.threadCount = Parallel.coreCount
    }

    /// Activations quantize to the same bytes and scales on every path (the SIMD ones round like the
    /// scalar loop: one rounded multiply, then nearest even), including zero and extreme blocks.
    func testActivationQuantizationIsTheSameOnEveryInstructionSet() {
        let rows = 3, k = 256
        var x = seededFloats(rows * k, seed: 31).map { $0 * 7 }
        for i in 32..<64 { x[i] = 0 }                       // an all-zero block: d = 0
        x[64] = 3.4e38; x[65] = -3.4e38                      // extreme magnitudes
        for i in 96..<128 { x[i] = Float(i - 112) * 0.5 }   // exact halves: ties round to even
        func quantize() -> ([Int8], [Float], [Int32]) {
            var xq = [Int8](repeating: 0, count: rows * k), xd = [Float](repeating: 0, count: rows * k / 32)
            var xsum = [Int32](repeating: 0, count: rows * k / 4)
            zoo_quantize_activations(x, Int32(rows), Int32(k), &xq, &xd, &xsum)
            return (xq, xd, xsum)
        }
        let portable = MatrixMultiply.withInstructionSet("generic") { quantize() }
        for isa in MatrixMultiply.reachableInstructionSets {
            let fast = MatrixMultiply.withInstructionSet(isa) { quantize() }
            XCTAssertEqual(fast.0, portable.0, isa)
            XCTAssertEqual(fast.1.map(\.bitPattern), portable.1.map(\.bitPattern), isa)
            XCTAssertEqual(fast.2, portable.2, isa)
        }
    }

    /// Each dispatching integer kernel agrees with the plain C one; where a level is absent (or capped)
    /// the dispatch lands on a narrower path, which must agree too.
    func testSIMDAndPortableKernelsAgree() throws {
        let rows = 6, k = 224, n = 45
        let x = seededFloats(rows * k, seed: 21), w = seededFloats(n * k, seed: 22)
        var xq = [Int8](repeating: 0, count: rows * k), xd = [Float](repeating: 0, count: rows * k / 32)
        var xsum = [Int32](repeating: 0, count: rows * k / 4)
        zoo_quantize_activations(x, Int32(rows), Int32(k), &xq, &xd, &xsum)
        var values = [Int8](repeating: 0, count: n * k), nibbles = [UInt8](repeating: 0, count: n * k / 2)
        var scales8 = [Float](repeating: 0, count: n * k / 32), scales4 = scales8
        MatrixMultiply.quantizeQ8_0(w, rows: n, inFeatures: k, values: &values, scales: &scales8)
        MatrixMultiply.quantizeQ4_0(w, rows: n, inFeatures: k, nibbles: &nibbles, scales: &scales4)
        var fast = [Float](repeating: 0, count: rows * n), portable = fast
        let r = Int32(rows), kk = Int32(k), nn = Int32(n)
        zoo_linear_q8_0_x8_portable(xq, xd, xsum, r, kk, values, scales8, 0, nn, &portable, nn, 0)
        var portable4 = portable
        zoo_linear_q4_0_x8_portable(xq, xd, xsum, r, kk, nibbles, scales4, 0, nn, &portable4, nn, 0)
        // Each SIMD path (VNNI, then AVX2's maddubs) against the plain C one. AVX2 (like NEON) keeps the
        // portable kernel's sixteen lanes and its lane sum, so it gives the portable bits; VNNI sums its
        // lanes in a tree, within 1e-5.
        for isa in MatrixMultiply.reachableInstructionSets {
            MatrixMultiply.withInstructionSet(isa) {
                let exact = isa == "avx2" || isa == "neon"
                zoo_linear_q8_0_x8(xq, xd, xsum, r, kk, values, scales8, 0, nn, &fast, nn, 0)
                if exact { XCTAssertEqual(fast.map(\.bitPattern), portable.map(\.bitPattern), isa) }
                for i in fast.indices { XCTAssertEqual(fast[i], portable[i], accuracy: 1e-5 * max(1, abs(portable[i])), isa) }
                zoo_linear_q4_0_x8(xq, xd, xsum, r, kk, nibbles, scales4, 0, nn, &fast, nn, 0)
                if exact { XCTAssertEqual(fast.map(\.bitPattern), portable4.map(\.bitPattern), isa) }
                for i in fast.indices { XCTAssertEqual(fast[i], portable4[i], accuracy: 1e-5 * max(1, abs(portable4[i])), isa) }
            }
        }
    }
}
