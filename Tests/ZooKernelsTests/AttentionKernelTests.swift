import CZooKernels
import XCTest

@testable import ZooKernels

/// The attention kernel (scores, softmax, weighted values for one token and one KV head's query
/// heads) and the vectorised SwiGLU: every instruction set against a float64 reference.
final class AttentionKernelTests: XCTestCase {
    private func reference(q: [Float], group: Int, d: Int, keys: [Float], values: [Float], stride: Int, visible: Int,
                           scale: Float) -> [Double] {
        var out = [Double](repeating: 0, count: group * d)
        for g in 0..<group {
            var scores = (0..<visible).map { j in
                Double(scale) * (0..<d).reduce(0.0) { $0 + Double(q[g * d + $1]) * Double(keys[j * stride + $1]) }
            }
            let top = scores.max()!
            scores = scores.map { exp($0 - top) }
            let sum = scores.reduce(0, +)
            for j in 0..<visible {
                for c in 0..<d { out[g * d + c] += scores[j] / sum * Double(values[j * stride + c]) }
            }
        }
        return out
    }

    private func attend(q: [Float], group: Int, d: Int, keys: [Float], values: [Float], stride: Int, visible: Int,
                        scale: Float, half: Bool) -> [Float] {
        var out = [Float](repeating: .nan, count: group * d)
        var scores = [Float](repeating: 0, count: group * visible)
        if half {
            var k16 = [UInt16](repeating: 0, count: keys.count), v16 = k16
            zoo_narrow_f16(keys, &k16, Int32(keys.count))
            zoo_narrow_f16(values, &v16, Int32(values.count))
            VectorOps.attendGroup(queries: q, group: group, headDim: d, keys: k16, values: v16, halfPrecision: true,
                                  stride: stride, visible: visible, scale: scale, scores: &scores, output: &out)
        } else {
            VectorOps.attendGroup(queries: q, group: group, headDim: d, keys: keys, values: values, halfPrecision: false,
                                  stride: stride, visible: visible, scale: scale, scores: &scores, output: &out)
        }
        return out
    }

    func testEveryInstructionSetMatchesTheFloat64Reference() {
        // Head sizes, group sizes and key counts around the kernel's blocks of 16.
        for (d, group, visible) in [(64, 7, 1), (64, 7, 37), (64, 2, 16), (128, 3, 50), (32, 1, 200), (24, 2, 9)] {
            let stride = 2 * d + 8  // rows of a wider cache, as KV heads side by side
            let q = seededFloats(group * d, seed: UInt64(d + group)), keys = seededFloats(visible * stride, seed: 7)
            let values = seededFloats(visible * stride, seed: 8)
            let scale = 1 / Float(d).squareRoot() * 4  // sharp enough that the softmax is not flat
            let expected = reference(q: q, group: group, d: d, keys: keys, values: values, stride: stride, visible: visible, scale: scale)
            for isa in MatrixMultiply.reachableInstructionSets {
                MatrixMultiply.withInstructionSet(isa) {
                    let out = attend(q: q, group: group, d: d, keys: keys, values: values, stride: stride, visible: visible,
                                     scale: scale, half: false)
                    for i in out.indices {
                        XCTAssertEqual(Double(out[i]), expected[i], accuracy: 2e-6, "\(isa) d\(d) group\(group) visible\(visible) [\(i)]")
                    }
                    // fp16 rows: the same within fp16's rounding of keys and values.
                    let halfOut = attend(q: q, group: group, d: d, keys: keys, values: values, stride: stride, visible: visible,
                                         scale: scale, half: true)
                    for i in halfOut.indices { XCTAssertEqual(Double(halfOut[i]), expected[i], accuracy: 5e-3, "\(isa) f16 [\(i)]") }
                }
            }
        }
    }

    func testSwiGLUMatchesTheScalarFormula() {
        let count = 203
        var gate = seededFloats(count, seed: 1).map { $0 * 30 }  // e^−g over a wide range, both signs
        gate[0] = -100
        gate[1] = 100
        let up = seededFloats(count, seed: 2)
        for isa in MatrixMultiply.reachableInstructionSets {
            MatrixMultiply.withInstructionSet(isa) {
                var out = gate
                VectorOps.swiGLU(gate: &out, up: up, count: count)
                for i in 0..<count {
                    let g = Double(gate[i]), expected = g / (1 + exp(-g)) * Double(up[i])
                    XCTAssertEqual(Double(out[i]), expected, accuracy: 4e-7 * max(1, abs(expected)), "\(isa) g=\(g)")
                }
            }
        }
    }
}
