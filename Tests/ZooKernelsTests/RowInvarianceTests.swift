import XCTest
@testable import ZooKernels

/// The batch invariance the scheduler relies on, at the kernels: every output row of a product is
/// bit-identical whatever the number of rows in the call, the row's place among them (the tile it
/// falls in, or a remainder) and the thread split; in every weight form and activation form.
/// `scripts/test.sh` runs it again at every narrower instruction set (`ZOO_ISA`).
final class RowInvarianceTests: XCTestCase {
    static let batchSizes = [1, 2, 3, 4, 5, 7, 8, 12, 13, 17]

    /// Each row of an `n`-output product over `rows` rows equals the same row computed alone.
    static func assertRowsIndependent(_ weight: WeightData, k: Int, n: Int, _ label: String) {
        for rows in batchSizes {
            let x = seededFloats(rows * k, seed: UInt64(100 + rows))
            var batched = [Float](repeating: .nan, count: rows * n)
            MatrixMultiply.linear(x, rows: rows, inFeatures: k, weight: weight, outFeatures: n, into: &batched)
            for t in 0..<rows {
                var alone = [Float](repeating: .nan, count: n)
                MatrixMultiply.linear(Array(x[(t * k)..<((t + 1) * k)]), rows: 1, inFeatures: k, weight: weight,
                                      outFeatures: n, into: &alone)
                XCTAssertEqual(alone.map(\.bitPattern), batched[(t * n)..<((t + 1) * n)].map(\.bitPattern),
                               "\(label): row \(t) of \(rows)")
            }
        }
    }

    func testFloatAndIntegerFormats() {
        let (n, k) = (96, 256)  // wide enough that larger batches split over threads
        let matrix = GroupedProductTests.Matrix(n: n, k: k, seed: 3)
        let previous = MatrixMultiply.integerDotProducts
        defer { MatrixMultiply.integerDotProducts = previous }
        for integer in Set([false, MatrixMultiply.integerDotProductsAvailable]) {
            MatrixMultiply.integerDotProducts = integer
            for form in ["f32", "bf16", "bf16 rows4", "q8_0", "q8_0x16", "bf16x16"] {
                Self.assertRowsIndependent(matrix.weight(form), k: k, n: n, "\(form) integer \(integer)")
            }
        }
        withExtendedLifetime(matrix) {}
    }

    func testFloatKernelWithARaggedWidth() {
        let (n, k) = (37, 70)  // neither a multiple of the tile rows nor of the SIMD width
        let w = seededFloats(n * k, seed: 5)
        w.withUnsafeBufferPointer { Self.assertRowsIndependent(.f32($0.baseAddress!), k: k, n: n, "f32 ragged") }
    }

}

extension KQuantKernelTests {
    /// The in-place block formats, with `randomBlocks`' finite scales (see ``RowInvarianceTests``).
    func testBlockFormatRowsAreIndependentOfTheBatch() {
        let (n, k) = (48, 512)
        for format in KQuantFormat.allCases {
            let blocks = randomBlocks(format, count: n * k, seed: 9)
            blocks.withUnsafeBufferPointer {
                RowInvarianceTests.assertRowsIndependent(format.weightData($0.baseAddress!), k: k, n: n, "\(format)")
            }
        }
    }
}
