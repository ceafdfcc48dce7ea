import CZooKernels
import XCTest

@testable import ZooKernels

/// `dtype: bf16`'s products: bf16 weights interleaved in groups of 16 times bf16-rounded activations,
/// against a float64 reference on the rounded values; AVX-512 BF16 equals the portable C (Intel's
/// VDPBF16PS arithmetic) bit for bit; a decode step equals its row of a prefill.
final class BF16DotKernelTests: XCTestCase {
    /// Round to nearest even, written out independently of the C code.
    private func bf16(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        return UInt16((u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    private func float(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }

    private struct Packed {
        let n: Int, k: Int
        var weights: [UInt16], packed: [UInt8]
    }

    private func pack(n: Int, k: Int, seed: UInt64) -> Packed {
        let weights = seededFloats(n * k, seed: seed).map(bf16)
        var packed = [UInt8](repeating: 0xFF, count: InterleavedFormat.bf16.byteCount(rows: n, columns: k))
        packed.withUnsafeMutableBufferPointer { InterleavedFormat.packBF16(weights, rows: n, columns: k, into: $0.baseAddress!) }
        return Packed(n: n, k: k, weights: weights, packed: packed)
    }

    private func product(_ m: Packed, _ x: [Float], rows: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * m.n)
        m.packed.withUnsafeBufferPointer { p in
            MatrixMultiply.linear(x, rows: rows, inFeatures: m.k, weight: InterleavedFormat.bf16.weightData(p.baseAddress!),
                                  outFeatures: m.n, into: &y)
        }
        return y
    }

    func testRoundingIsNearestEven() {
        let x = seededFloats(1000, seed: 1) + [0, -0, 1, 1.00390625, 1.01171875, 3.4e38, -2.5e-3]
        var out = [UInt16](repeating: 0, count: x.count)
        for isa in MatrixMultiply.reachableInstructionSets {
            MatrixMultiply.withInstructionSet(isa) {
                MatrixMultiply.roundToBF16(x, count: x.count, into: &out)
                XCTAssertEqual(out, x.map(bf16), isa)
            }
        }
    }

    func testPackingKeepsEveryWeight() {
        let m = pack(n: 37, k: 70, seed: 2)
        var row = [Float](repeating: 0, count: m.k)
        for o in 0..<m.n {
            m.packed.withUnsafeBufferPointer { InterleavedFormat.bf16.unpackRow($0.baseAddress!, columns: m.k, row: o, into: &row) }
            XCTAssertEqual(row, m.weights[(o * m.k)..<((o + 1) * m.k)].map(float), "row \(o)")
        }
    }

    func testProductMatchesTheFloat64ReferenceAndDecodeEqualsPrefill() {
        let rows = 6, m = pack(n: 45, k: 96, seed: 3)
        let x = seededFloats(rows * m.k, seed: 4)
        for isa in MatrixMultiply.reachableInstructionSets {
            MatrixMultiply.withInstructionSet(isa) {
                let batched = product(m, x, rows: rows)
                for t in 0..<rows {
                    for o in 0..<m.n {
                        let expected = (0..<m.k).reduce(0.0) {
                            $0 + Double(float(bf16(x[t * m.k + $1]))) * Double(float(m.weights[o * m.k + $1]))
                        }
                        XCTAssertEqual(Double(batched[t * m.n + o]), expected, accuracy: 1e-5 * max(1, abs(expected)), "\(isa) t\(t) o\(o)")
                    }
                    XCTAssertEqual(product(m, Array(x[(t * m.k)..<((t + 1) * m.k)]), rows: 1),
                                   Array(batched[(t * m.n)..<((t + 1) * m.n)]), "\(isa) decode row \(t)")
                }
            }
        }
    }

    /// The dispatching kernel (VDPBF16PS where the CPU has AVX-512 BF16 and the cap allows, else the
    /// portable code) equals the portable code bit for bit, on every level the test command runs.
    func testBF16InstructionsAndPortableCodeAgreeBitForBit() throws {
        let rows = 7, m = pack(n: 83, k: 224, seed: 5)
        var xb = [UInt16](repeating: 0, count: rows * m.k)
        MatrixMultiply.roundToBF16(seededFloats(rows * m.k, seed: 6), count: rows * m.k, into: &xb)
        let halves = m.packed.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        for accumulate: Int32 in [0, 1] {
            for (begin, end) in [(0, m.n), (16, 50), (64, 65)] {
                var fast = seededFloats(rows * m.n, seed: 9), portable = fast
                zoo_linear_bf16x16(xb, Int32(rows), Int32(m.k), halves, Int32(begin), Int32(end), &fast, Int32(m.n), accumulate)
                zoo_linear_bf16x16_portable(xb, Int32(rows), Int32(m.k), halves, Int32(begin), Int32(end), &portable, Int32(m.n), accumulate)
                XCTAssertEqual(fast.map(\.bitPattern), portable.map(\.bitPattern), "\(begin)..<\(end) accumulate \(accumulate)")
            }
        }
    }
}
