import Foundation
import XCTest
import ZooKernels

/// README, "Attention and activations": softmax and SwiGLU use a vectorised e^x (Cephes' polynomial)
/// within 2 ulp. Seen through SwiGLU with `up = 1`, silu(g) = g / (1 + e^-g): 2 ulp from e^x and
/// half an ulp from each of the addition, the division and the product stay within 4 ulp of float64,
/// on whichever instruction set this run uses (the test command repeats it with `ZOO_ISA` capped).
final class ExpAccuracyTests: XCTestCase {
    func testSwiGLUIsWithinFourUlpOfFloat64() {
        let gates = stride(from: -80.0, through: 80.0, by: 0.0037).map { Float($0) }
        var out = gates
        let up = [Float](repeating: 1, count: gates.count)
        VectorOps.swiGLU(gate: &out, up: up, count: gates.count)
        var worst = 0.0
        for (g, y) in zip(gates, out) {
            let expected = Double(g) / (1 + Foundation.exp(-Double(g)))
            guard expected != 0 else { XCTAssertEqual(y, 0); continue }
            let ulp = Double(Float(expected).ulp)
            worst = max(worst, abs(Double(y) - expected) / ulp)
        }
        XCTAssertLessThanOrEqual(worst, 4, "worst error \(worst) ulp on \(MatrixMultiply.nativeInstructionSet)")
    }
}
