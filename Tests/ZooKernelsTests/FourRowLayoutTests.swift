import CZooKernels
import XCTest
@testable import ZooKernels

/// The four-row layout (``FourRowLayout``) reorders memory only: its products equal the row-major
/// kernels' bit for bit on every instruction set, and a packed row unpacks to the original.
final class FourRowLayoutTests: XCTestCase {
    private enum Element: CaseIterable { case f32, bf16, f16 }

    /// Row-major weights of `element` (16-bit values made from floats), as raw bytes.
    private func weights(_ element: Element, count: Int, seed: UInt64) -> [UInt8] {
        let floats = seededFloats(count, seed: seed)
        switch element {
        case .f32:
            return floats.withUnsafeBytes { Array($0) }
        case .bf16:
            let halves = floats.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
            return halves.withUnsafeBytes { Array($0) }
        case .f16:
            let halves = floats.map { Float16($0).bitPattern }
            return halves.withUnsafeBytes { Array($0) }
        }
    }

    private func product(_ element: Element, fourRows: Bool, x: [Float], rows: Int, k: Int, w: UnsafeRawPointer, n: Int,
                         initial: [Float]?) -> [Float] {
        let weight: WeightData = switch (element, fourRows) {
        case (.f32, false): .f32(w.assumingMemoryBound(to: Float.self))
        case (.f32, true): .f32Rows4(w.assumingMemoryBound(to: Float.self))
        case (.bf16, false): .bf16(w.assumingMemoryBound(to: UInt16.self))
        case (.bf16, true): .bf16Rows4(w.assumingMemoryBound(to: UInt16.self))
        case (.f16, false): .f16(w.assumingMemoryBound(to: UInt16.self))
        case (.f16, true): .f16Rows4(w.assumingMemoryBound(to: UInt16.self))
        }
        var y = initial ?? [Float](repeating: .nan, count: rows * n)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                MatrixMultiply.linear(xp.baseAddress!, rows: rows, inFeatures: k, weight: weight, outFeatures: n,
                                      into: yp.baseAddress!, accumulate: initial != nil)
            }
        }
        return y
    }

    func testProductsEqualTheRowMajorKernelsBitForBit() {
        for instructionSet in MatrixMultiply.reachableInstructionSets {
            MatrixMultiply.withInstructionSet(instructionSet) {
                for element in Element.allCases {
                    for (k, n) in [(16, 4), (48, 12), (160, 64), (896, 40), (4864, 8)] {
                        let bytes = element == .f32 ? 4 : 2
                        let rowMajor = weights(element, count: n * k, seed: UInt64(k * 31 + n))
                        var packed = [UInt8](repeating: 0, count: rowMajor.count)
                        rowMajor.withUnsafeBytes { source in
                            packed.withUnsafeMutableBytes { destination in
                                FourRowLayout.pack(source.baseAddress!, rows: n, columns: k, elementBytes: bytes,
                                                   into: destination.baseAddress!)
                            }
                        }
                        for rows in [1, 2, 3, 4, 5, 9] {
                            let x = seededFloats(rows * k, seed: UInt64(rows * 1000 + k))
                            let initial = rows == 3 ? seededFloats(rows * n, seed: 7) : nil
                            let expected = rowMajor.withUnsafeBytes {
                                product(element, fourRows: false, x: x, rows: rows, k: k, w: $0.baseAddress!, n: n, initial: initial)
                            }
                            let actual = packed.withUnsafeBytes {
                                product(element, fourRows: true, x: x, rows: rows, k: k, w: $0.baseAddress!, n: n, initial: initial)
                            }
                            XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern),
                                           "\(instructionSet) \(element) rows \(rows) k \(k) n \(n)")
                        }
                    }
                }
            }
        }
    }

    func testPackedRowsUnpackToTheOriginals() {
        let (rows, k) = (8, 48)
        let original = seededFloats(rows * k, seed: 3)
        var packed = [Float](repeating: 0, count: original.count)
        original.withUnsafeBytes { source in
            packed.withUnsafeMutableBytes { destination in
                FourRowLayout.pack(source.baseAddress!, rows: rows, columns: k, elementBytes: 4, into: destination.baseAddress!)
            }
        }
        XCTAssertNotEqual(packed, original)
        // Group 0, columns 0..<16: rows 0, 1, 2, 3 one after another.
        XCTAssertEqual(Array(packed[16..<32]), Array(original[k..<(k + 16)]))
        for row in 0..<rows {
            var unpacked = [Float](repeating: .nan, count: k)
            packed.withUnsafeBytes { p in
                unpacked.withUnsafeMutableBytes { FourRowLayout.unpackRow(p.baseAddress!, columns: k, elementBytes: 4, row: row, into: $0.baseAddress!) }
            }
            XCTAssertEqual(unpacked, Array(original[(row * k)..<((row + 1) * k)]), "row \(row)")
        }
    }

    func testOnlyWholeGroupsOfFourRowsAndSixteenColumnsFit() {
        XCTAssertTrue(FourRowLayout.fits(rows: 4864, columns: 896))
        XCTAssertFalse(FourRowLayout.fits(rows: 151_934, columns: 896))
        XCTAssertFalse(FourRowLayout.fits(rows: 64, columns: 200))
        XCTAssertFalse(FourRowLayout.fits(rows: 0, columns: 16))
    }
}
