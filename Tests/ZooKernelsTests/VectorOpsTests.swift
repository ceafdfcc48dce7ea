import XCTest
import ZooKernels

final class VectorOpsTests: XCTestCase {
    func testRMSNormFollowsTheFormula() {
        let x: [Float] = [1, -2, 3, -4, 0.5, 6]
        let weight: [Float] = [1, 0.5, 2]
        var y = [Float](repeating: 0, count: 6)
        VectorOps.rmsNorm(x, rows: 2, dim: 3, weight: weight, eps: 1e-6, into: &y)
        for r in 0..<2 {
            let row = x[(r * 3)..<(r * 3 + 3)].map(Double.init)
            let rms = (row.map { $0 * $0 }.reduce(0, +) / 3 + 1e-6).squareRoot()
            for i in 0..<3 {
                XCTAssertEqual(Double(y[r * 3 + i]), row[row.startIndex + i] / rms * Double(weight[i]), accuracy: 1e-6)
            }
        }
    }

    func testSoftmaxIsStableAndNormalised() {
        var x: [Float] = [1000, 1001, 999, -.infinity]
        VectorOps.softmax(&x, count: 4)
        XCTAssertEqual(x.reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertEqual(x[3], 0)
        XCTAssertEqual(Double(x[1] / x[0]), exp(1.0), accuracy: 1e-4)
    }

    func testSwiGLU() {
        var gate: [Float] = [-1, 0, 2]
        let up: [Float] = [3, 4, 5]
        VectorOps.swiGLU(gate: &gate, up: up, count: 3)
        for (i, g) in [-1.0, 0, 2].enumerated() {
            XCTAssertEqual(Double(gate[i]), g / (1 + exp(-g)) * Double(up[i]), accuracy: 1e-6)
        }
    }
}
