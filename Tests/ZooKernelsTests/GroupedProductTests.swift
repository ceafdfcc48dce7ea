import XCTest
@testable import ZooKernels

/// Grouped products (``MatrixMultiply/linear(_:rows:inFeatures:products:)``: a layer's q, k, v or gate,
/// up as one job) equal the same products made one at a time, bit for bit, in every weight form.
final class GroupedProductTests: XCTestCase {
    /// An `n × k` matrix in the weight forms the test uses, in memory it owns.
    final class Matrix {
        let n: Int, k: Int
        let floats: [Float], halves: [UInt16]
        private var int8: [Int8], scales: [Float]
        private var allocations: [UnsafeMutableRawPointer] = []

        init(n: Int, k: Int, seed: UInt64) {
            (self.n, self.k) = (n, k)
            floats = seededFloats(n * k, seed: seed)
            halves = floats.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
            int8 = [Int8](repeating: 0, count: n * k)
            scales = [Float](repeating: 0, count: n * k / 32)
            MatrixMultiply.quantizeQ8_0(floats, rows: n, inFeatures: k, values: &int8, scales: &scales)
        }

        deinit { allocations.forEach { $0.deallocate() } }

        /// `bytes` bytes of memory that lives as long as this matrix, filled by `fill`.
        private func memory(_ bytes: Int, _ fill: (UnsafeMutableRawPointer) -> Void) -> UnsafeMutableRawPointer {
            let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            allocations.append(p)
            fill(p)
            return p
        }

        private func copy<T>(_ values: [T]) -> UnsafeMutableRawPointer {
            values.withUnsafeBytes { source in memory(source.count) { $0.copyMemory(from: source.baseAddress!, byteCount: source.count) } }
        }

        func weight(_ form: String) -> WeightData {
            switch form {
            case "f32": return .f32(copy(floats).assumingMemoryBound(to: Float.self))
            case "bf16": return .bf16(copy(halves).assumingMemoryBound(to: UInt16.self))
            case "bf16 rows4":
                let source = copy(halves)
                let packed = memory(n * k * 2) { FourRowLayout.pack(source, rows: n, columns: k, elementBytes: 2, into: $0) }
                return .bf16Rows4(packed.assumingMemoryBound(to: UInt16.self))
            case "q8_0":
                return .q8_0(values: copy(int8).assumingMemoryBound(to: Int8.self), scales: copy(scales).assumingMemoryBound(to: Float.self))
            case "q8_0x16":
                let (values, blockScales) = (copy(int8), copy(scales).assumingMemoryBound(to: Float.self))
                let packed = memory(InterleavedFormat.q8_0.byteCount(rows: n, columns: k)) {
                    InterleavedFormat.q8_0.pack(values: values, scales: blockScales, rows: n, columns: k, into: $0.assumingMemoryBound(to: UInt8.self))
                }
                return .q8_0x16(packed.assumingMemoryBound(to: UInt8.self))
            case "bf16x16":
                let source = copy(halves).assumingMemoryBound(to: UInt16.self)
                let packed = memory(InterleavedFormat.bf16.byteCount(rows: n, columns: k)) {
                    InterleavedFormat.packBF16(source, rows: n, columns: k, into: $0.assumingMemoryBound(to: UInt8.self))
                }
                return .bf16x16(packed.assumingMemoryBound(to: UInt16.self))
            default: preconditionFailure(form)
            }
        }
    }

    func testGroupedProductsEqualSeparateOnesBitForBit() {
        let k = 256
        // q, k, v shaped (q wide, k and v narrow), and one group mixing two activation forms.
        let groups = [["f32", "f32", "f32"], ["bf16", "bf16", "bf16"], ["bf16 rows4", "bf16 rows4", "bf16 rows4"],
                      ["q8_0", "q8_0", "q8_0"], ["q8_0x16", "q8_0x16", "q8_0x16"], ["bf16x16", "bf16x16", "bf16x16"],
                      ["q8_0x16", "f32", "bf16"]]
        let widths = [320, 64, 64]
        for forms in groups {
            let matrices = widths.enumerated().map { Matrix(n: $1, k: k, seed: UInt64(10 + $0)) }
            let weights = zip(matrices, forms).map { $0.weight($1) }
            for rows in [1, 5, 40] {
                let x = seededFloats(rows * k, seed: UInt64(rows))
                let separate = widths.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: rows * $0) }
                let grouped = widths.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: rows * $0) }
                defer { (separate + grouped).forEach { $0.deallocate() } }
                for i in widths.indices {
                    MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: weights[i], outFeatures: widths[i],
                                          into: separate[i].baseAddress!)
                }
                MatrixMultiply.linear(x, rows: rows, inFeatures: k, products: widths.indices.map {
                    ProductOutput(weight: weights[$0], outFeatures: widths[$0], into: grouped[$0].baseAddress!)
                })
                for i in widths.indices {
                    XCTAssertEqual(grouped[i].map(\.bitPattern), separate[i].map(\.bitPattern), "\(forms) rows \(rows) output \(i)")
                }
            }
            withExtendedLifetime(matrices) {}
        }
    }
}
