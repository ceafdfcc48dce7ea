import XCTest
@testable import ZooKernels

/// The native linear kernel against a float64 reference, and its batch independence.
final class MatrixMultiplyTests: XCTestCase {
    /// A reproducible pseudo-random matrix in [-1, 1).
    private func matrix(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
        }
    }

    private func reference(_ x: [Float], rows: Int, k: Int, _ w: [Float], n: Int) -> [Double] {
        var y = [Double](repeating: 0, count: rows * n)
        for t in 0..<rows {
            for o in 0..<n {
                var s = 0.0
                for i in 0..<k { s += Double(x[t * k + i]) * Double(w[o * k + i]) }
                y[t * n + o] = s
            }
        }
        return y
    }

    private func linear(_ x: [Float], rows: Int, k: Int, _ w: [Float], n: Int, initial: [Float]? = nil,
                        backend: MatrixBackend = .native) -> [Float] {
        var y = initial ?? [Float](repeating: .nan, count: rows * n)
        let previous = MatrixMultiply.backend
        MatrixMultiply.backend = backend
        defer { MatrixMultiply.backend = previous }
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    MatrixMultiply.linear(
                        xp.baseAddress!, rows: rows, inFeatures: k, weight: wp.baseAddress!, outFeatures: n,
                        into: yp.baseAddress!, accumulate: initial != nil)
                }
            }
        }
        return y
    }

    func testNativeKernelMatchesFloat64ReferenceOnEdgeShapes() {
        for rows in [1, 2, 3, 4, 5, 9] {
            for k in [1, 7, 15, 16, 17, 64, 100] {
                for n in [1, 3, 4, 5, 17, 64] {
                    let x = matrix(rows * k, seed: UInt64(rows * 1000 + k))
                    let w = matrix(n * k, seed: UInt64(n * 7 + k))
                    let expected = reference(x, rows: rows, k: k, w, n: n)
                    for backend in MatrixBackend.allCases {
                        let y = linear(x, rows: rows, k: k, w, n: n, backend: backend)
                        for i in y.indices {
                            XCTAssertEqual(Double(y[i]), expected[i], accuracy: 1e-5 * Double(k),
                                           "\(backend) rows \(rows) k \(k) n \(n) element \(i)")
                        }
                    }
                }
            }
        }
    }

    func testEachRowIsBitIdenticalWhateverTheBatch() {
        let k = 896, n = 131, rows = 11
        let x = matrix(rows * k, seed: 1)
        let w = matrix(n * k, seed: 2)
        let batched = linear(x, rows: rows, k: k, w, n: n)
        for t in 0..<rows {
            let alone = linear(Array(x[(t * k)..<((t + 1) * k)]), rows: 1, k: k, w, n: n)
            XCTAssertEqual(alone, Array(batched[(t * n)..<((t + 1) * n)]), "row \(t)")
        }
    }

    func testThreadCountDoesNotChangeResults() {
        let k = 512, n = 1024, rows = 3
        let x = matrix(rows * k, seed: 3)
        let w = matrix(n * k, seed: 4)
        let previous = Parallel.threadCount
        defer { Parallel.threadCount = previous }
        Parallel.threadCount = 1
        let one = linear(x, rows: rows, k: k, w, n: n)
        Parallel.threadCount = 2
        let two = linear(x, rows: rows, k: k, w, n: n)
        XCTAssertEqual(one, two)
    }

    func testAccumulateAddsToTheOutput() {
        let x = matrix(2 * 20, seed: 5), w = matrix(6 * 20, seed: 6)
        let initial = matrix(2 * 6, seed: 7)
        let plain = linear(x, rows: 2, k: 20, w, n: 6)
        let summed = linear(x, rows: 2, k: 20, w, n: 6, initial: initial)
        for i in plain.indices { XCTAssertEqual(summed[i], plain[i] + initial[i], accuracy: 1e-6) }
    }

    func testInstructionSetIsReported() {
        XCTAssertTrue(["avx512f", "avx2", "neon", "generic"].contains(MatrixMultiply.nativeInstructionSet))
    }
}
