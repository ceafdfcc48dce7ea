import XCTest
import ZooAttention

final class RotaryEmbeddingTests: XCTestCase {
    func testInverseFrequenciesFollowTheFormula() {
        let rope = RotaryEmbedding(rotaryDim: 8, base: 10000)
        XCTAssertEqual(rope.inverseFrequencies.count, 4)
        for i in 0..<4 {
            XCTAssertEqual(Double(rope.inverseFrequencies[i]), 1 / pow(10000, Double(2 * i) / 8), accuracy: 1e-7)
        }
    }

    func testHalfSplitRotation() {
        let rope = RotaryEmbedding(rotaryDim: 4, base: 100)
        // One head of 4 dims at position 3: pairs (0, 2) and (1, 3) rotate by 3·invFreq.
        var x: [Float] = [1, 2, 3, 4]
        rope.apply(to: &x, tokens: 1, heads: 1, headDim: 4, firstPosition: 3)
        let a0 = 3 * Double(rope.inverseFrequencies[0]), a1 = 3 * Double(rope.inverseFrequencies[1])
        XCTAssertEqual(Double(x[0]), 1 * cos(a0) - 3 * sin(a0), accuracy: 1e-6)
        XCTAssertEqual(Double(x[2]), 3 * cos(a0) + 1 * sin(a0), accuracy: 1e-6)
        XCTAssertEqual(Double(x[1]), 2 * cos(a1) - 4 * sin(a1), accuracy: 1e-6)
        XCTAssertEqual(Double(x[3]), 4 * cos(a1) + 2 * sin(a1), accuracy: 1e-6)
    }

    func testPositionZeroIsIdentity() {
        let rope = RotaryEmbedding(rotaryDim: 8, base: 1e6)
        var x: [Float] = (0..<16).map(Float.init)
        let original = x
        rope.apply(to: &x, tokens: 1, heads: 2, headDim: 8, firstPosition: 0)
        XCTAssertEqual(x, original)
    }
}
