import CZooKernels
import XCTest

@testable import ZooKernels

/// q8_0 and q4_0 weights interleaved in groups of 16 rows (the VNNI layout): packing loses nothing,
/// the product matches a float64 reference on the quantized values, a decode step equals its row of a
/// prefill bit for bit, and the VNNI kernel equals the portable one bit for bit.
final class InterleavedKernelTests: XCTestCase {
    private struct Matrix {
        let format: InterleavedFormat
        let n: Int, k: Int
        var values: [Int8], nibbles: [UInt8], scales: [Float]
        var packed: [UInt8]

        init(_ format: InterleavedFormat, n: Int, k: Int, seed: UInt64) {
            self.format = format
            self.n = n
            self.k = k
            let w = seededFloats(n * k, seed: seed)
            values = [Int8](repeating: 0, count: n * k)
            nibbles = [UInt8](repeating: 0, count: n * k / 2)
            scales = [Float](repeating: 0, count: n * k / 32)
            if format == .q8_0 {
                MatrixMultiply.quantizeQ8_0(w, rows: n, inFeatures: k, values: &values, scales: &scales)
            } else {
                MatrixMultiply.quantizeQ4_0(w, rows: n, inFeatures: k, nibbles: &nibbles, scales: &scales)
            }
            packed = [UInt8](repeating: 0, count: format.byteCount(rows: n, columns: k))
            let (f, rows, columns) = (format, n, k)
            values.withUnsafeBytes { v in
                nibbles.withUnsafeBytes { q in
                    packed.withUnsafeMutableBufferPointer { out in
                        f.pack(values: f == .q8_0 ? v.baseAddress! : q.baseAddress!, scales: scales, rows: rows,
                               columns: columns, into: out.baseAddress!)
                    }
                }
            }
        }

        /// Weight (o, i) as an integer, read from the row-major arrays.
        func weight(_ o: Int, _ i: Int) -> Int {
            if format == .q8_0 { return Int(values[o * k + i]) }
            let byte = nibbles[o * k / 2 + (i / 32) * 16 + (i % 32) % 16]
            return (i % 32 < 16 ? Int(byte & 0x0F) : Int(byte >> 4)) - 8
        }

        func product(_ x: [Float], rows: Int) -> [Float] {
            var y = [Float](repeating: 0, count: rows * n)
            packed.withUnsafeBufferPointer { p in
                MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: format.weightData(p.baseAddress!),
                                      outFeatures: n, into: &y)
            }
            return y
        }
    }

    func testPackingKeepsEveryValueAndScale() {
        for format in [InterleavedFormat.q8_0, .q4_0] {
            let m = Matrix(format, n: 37, k: 96, seed: 3)  // a partial last group
            var row = [Float](repeating: 0, count: m.k)
            for o in 0..<m.n {
                m.packed.withUnsafeBufferPointer { format.unpackRow($0.baseAddress!, columns: m.k, row: o, into: &row) }
                for i in 0..<m.k {
                    XCTAssertEqual(row[i], Float(m.weight(o, i)) * m.scales[o * m.k / 32 + i / 32], "\(format) (\(o), \(i))")
                }
            }
        }
    }

    func testPackingFromGGUFBlocksEqualsPackingFromTheArrays() {
        for format in [InterleavedFormat.q8_0, .q4_0] {
            let m = Matrix(format, n: 37, k: 96, seed: 4)
            // GGUF's blocks: an fp16 scale, then 32 int8 values (q8_0) or 16 bytes of nibbles (q4_0).
            var blocks: [UInt8] = []
            for o in 0..<m.n {
                for b in 0..<(m.k / 32) {
                    var half: UInt16 = 0
                    zoo_narrow_f16([m.scales[o * m.k / 32 + b]], &half, 1)
                    blocks += [UInt8(half & 0xFF), UInt8(half >> 8)]
                    if format == .q8_0 {
                        let start = o * m.k + b * 32
                        blocks += m.values[start..<(start + 32)].map { UInt8(bitPattern: $0) }
                    } else {
                        let start = o * m.k / 2 + b * 16
                        blocks += m.nibbles[start..<(start + 16)]
                    }
                }
            }
            var packed = [UInt8](repeating: 0xAA, count: m.packed.count)
            packed.withUnsafeMutableBufferPointer { format.pack(ggufBlocks: blocks, rows: m.n, columns: m.k, into: $0.baseAddress!) }
            XCTAssertEqual(packed, m.packed, "\(format)")
        }
    }

    func testProductMatchesTheFloat64ReferenceAndDecodeEqualsPrefill() {
        for format in [InterleavedFormat.q8_0, .q4_0] {
            let rows = 7, m = Matrix(format, n: 53, k: 160, seed: 5)
            let x = seededFloats(rows * m.k, seed: 6)
            let batched = m.product(x, rows: rows)
            for t in 0..<rows {
                let xt = Array(x[(t * m.k)..<((t + 1) * m.k)])
                for o in 0..<m.n {
                    var expected = 0.0
                    for b in 0..<(m.k / 32) {
                        let block = xt[(b * 32)..<(b * 32 + 32)]
                        let d = block.map { abs($0) }.max()! / 127, inverse = d != 0 ? 1 / d : 0
                        var dot = 0
                        for (i, v) in block.enumerated() {
                            dot += Int((v * inverse).rounded(.toNearestOrEven)) * m.weight(o, b * 32 + i)
                        }
                        expected += Double(dot) * Double(m.scales[o * m.k / 32 + b]) * Double(d)
                    }
                    XCTAssertEqual(Double(batched[t * m.n + o]), expected, accuracy: 1e-4 * max(1, abs(expected)), "\(format) t\(t) o\(o)")
                }
                XCTAssertEqual(m.product(xt, rows: 1), Array(batched[(t * m.n)..<((t + 1) * m.n)]), "\(format) decode row \(t)")
            }
        }
    }

    /// The dispatching kernel (VNNI where the CPU has it and the cap allows, else the portable code)
    /// equals the portable code bit for bit, on every instruction-set level the test command runs.
    func testVNNIAndPortableKernelsAgreeBitForBit() throws {
        for format in [InterleavedFormat.q8_0, .q4_0] {
            let rows = 9, m = Matrix(format, n: 83, k: 224, seed: 7)
            let x = seededFloats(rows * m.k, seed: 8)
            var xq = [Int8](repeating: 0, count: rows * m.k)
            var xd = [Float](repeating: 0, count: rows * m.k / 32), bsum = [Int32](repeating: 0, count: rows * m.k / 32)
            zoo_quantize_activations_bsum(x, Int32(rows), Int32(m.k), &xq, &xd, &bsum)
            let q4: Int32 = format == .q4_0 ? 1 : 0
            for accumulate: Int32 in [0, 1] {
                // Ranges that start on a group boundary and end mid-group, as threads split the rows.
                for (begin, end) in [(0, m.n), (16, 50), (32, 83), (64, 65)] {
                    var fast = seededFloats(rows * m.n, seed: 9), portable = fast
                    zoo_linear_x16(q4, xq, xd, bsum, Int32(rows), Int32(m.k), m.packed, Int32(begin), Int32(end), &fast, Int32(m.n), accumulate)
                    zoo_linear_x16_portable(q4, xq, xd, bsum, Int32(rows), Int32(m.k), m.packed, Int32(begin), Int32(end), &portable, Int32(m.n), accumulate)
                    XCTAssertEqual(fast.map(\.bitPattern), portable.map(\.bitPattern), "\(format) \(begin)..<\(end) accumulate \(accumulate)")
                }
            }
        }
    }

    func testLargeProductsSplitOverThreadsStillMatch() {
        Parallel.threadCount = 2
        defer { Parallel.threadCount = Parallel.coreCount }
        for format in [InterleavedFormat.q8_0, .q4_0] {
            let rows = 5, m = Matrix(format, n: 400, k: 256, seed: 10)
            let x = seededFloats(rows * m.k, seed: 11)
            let batched = m.product(x, rows: rows)
            for t in 0..<rows {
                XCTAssertEqual(m.product(Array(x[(t * m.k)..<((t + 1) * m.k)]), rows: 1), Array(batched[(t * m.n)..<((t + 1) * m.n)]))
            }
        }
    }

    /// A format packed from GGUF blocks: every row unpacks to `dequantized` (the in-place format's own
    /// dequantization), the product matches the float64 reference on 8-bit activations as llama.cpp
    /// quantizes them, a decode step equals its prefill row, and `fast` equals `portable` bit for bit.
    private typealias Kernel = (UnsafePointer<Int8>, UnsafePointer<Float>, UnsafePointer<Int32>, Int32, Int32,
                                UnsafePointer<UInt8>, Int32, Int32, UnsafeMutablePointer<Float>, Int32, Int32) -> Void

    private func checkPackedFromGGUF(_ format: InterleavedFormat, blocks: [UInt8], dequantized: [Float], n: Int, k: Int,
                                     fast: Kernel, portable: Kernel) throws {
        let rows = 5, x = seededFloats(rows * k, seed: 13)
        var packed = [UInt8](repeating: 0, count: format.byteCount(rows: n, columns: k))
        packed.withUnsafeMutableBufferPointer { format.pack(ggufBlocks: blocks, rows: n, columns: k, into: $0.baseAddress!) }
        var row = [Float](repeating: 0, count: k)
        for o in 0..<n {
            packed.withUnsafeBufferPointer { format.unpackRow($0.baseAddress!, columns: k, row: o, into: &row) }
            XCTAssertEqual(row, Array(dequantized[(o * k)..<((o + 1) * k)]), "\(format) row \(o)")
        }
        func product(_ x: [Float], _ rows: Int) -> [Float] {
            var y = [Float](repeating: 0, count: rows * n)
            packed.withUnsafeBufferPointer { p in
                MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: format.weightData(p.baseAddress!), outFeatures: n, into: &y)
            }
            return y
        }
        let batched = product(x, rows)
        for t in 0..<rows {
            let xt = Array(x[(t * k)..<((t + 1) * k)])
            for o in 0..<n {
                var expected = 0.0
                for b in 0..<(k / 32) {
                    let block = xt[(b * 32)..<(b * 32 + 32)]
                    let d = block.map { abs($0) }.max()! / 127, inverse = d != 0 ? 1 / d : 0
                    for (i, v) in block.enumerated() {
                        expected += Double((v * inverse).rounded(.toNearestOrEven)) * Double(d) * Double(dequantized[o * k + b * 32 + i])
                    }
                }
                XCTAssertEqual(Double(batched[t * n + o]), expected, accuracy: 1e-4 * max(1, abs(expected)), "\(format) t\(t) o\(o)")
            }
            XCTAssertEqual(product(xt, 1), Array(batched[(t * n)..<((t + 1) * n)]), "\(format) decode row \(t)")
        }
        // `fast` dispatches (VNNI, or the portable code without it), so this runs on every level.
        var xq = [Int8](repeating: 0, count: rows * k)
        var xd = [Float](repeating: 0, count: rows * k / 32), bsum = [Int32](repeating: 0, count: rows * k / 32)
        zoo_quantize_activations_bsum(x, Int32(rows), Int32(k), &xq, &xd, &bsum)
        for accumulate: Int32 in [0, 1] {
            for (begin, end) in [(0, n), (16, n)] {
                var y1 = seededFloats(rows * n, seed: 14), y2 = y1
                fast(xq, xd, bsum, Int32(rows), Int32(k), packed, Int32(begin), Int32(end), &y1, Int32(n), accumulate)
                portable(xq, xd, bsum, Int32(rows), Int32(k), packed, Int32(begin), Int32(end), &y2, Int32(n), accumulate)
                XCTAssertEqual(y1.map(\.bitPattern), y2.map(\.bitPattern), "\(format) \(begin)..<\(end) accumulate \(accumulate)")
            }
        }
    }

    func testQ5_0FromGGUFBlocks() throws {
        let n = 45, k = 96
        var blocks = [UInt8](repeating: 0, count: n * k / 32 * 22), dequantized = [Float](repeating: 0, count: n * k)
        zoo_quantize_q5_0(seededFloats(n * k, seed: 12), Int32(n), Int32(k), &blocks)
        zoo_dequantize_q5_0(blocks, Int32(n * k), &dequantized)
        try checkPackedFromGGUF(.q5_0, blocks: blocks, dequantized: dequantized, n: n, k: k,
                                fast: { zoo_linear_x16(2, $0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) },
                                portable: { zoo_linear_x16_portable(2, $0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) })
    }

    func testQ4_KFromGGUFBlocks() throws {
        let n = 37, k = 512
        var blocks = [UInt8](repeating: 0, count: n * k / 256 * 144), dequantized = [Float](repeating: 0, count: n * k)
        zoo_quantize_q4_k(seededFloats(n * k, seed: 15), Int32(n), Int32(k), &blocks)
        zoo_dequantize_q4_k(blocks, Int32(n * k), &dequantized)
        try checkPackedFromGGUF(.q4_K, blocks: blocks, dequantized: dequantized, n: n, k: k,
                                fast: zoo_linear_q4_k_x16, portable: zoo_linear_q4_k_x16_portable)
    }
}
