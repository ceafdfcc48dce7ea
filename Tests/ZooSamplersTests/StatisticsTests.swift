import Foundation
import XCTest
import ZooCore
@testable import ZooSamplers

/// 20,000 seeded draws per stochastic stage or chain against the exact post-stage distribution
/// (chi-square goodness of fit, p > 0.001).
final class StatisticsTests: XCTestCase {
    let logits: [Float] = [2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -3.0]
    let draws = 20_000

    /// Draws `draws` tokens with `spec` (reset before each draw, so stateful stages see their
    /// first step) and checks them against `expected`.
    func check(_ spec: String, expected: [Double], history: [Int] = [7], seed: UInt64 = 2024,
               file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(expected.reduce(0, +), 1, accuracy: 1e-9, "expected distribution", file: file, line: line)
        var chain = try SamplerChain(spec: spec)
        var context = SamplingContext(prompt: history, seed: seed)
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<draws {
            chain.reset()
            var row = logits
            counts[try chain.next(logits: &row, context: &context)] += 1
        }
        let p = chiSquarePValue(observed: counts, expected: expected, file: file, line: line)
        XCTAssertGreaterThan(p, 0.001, "\(spec): counts \(counts) vs \(expected.map { $0 * Double(draws) })",
                             file: file, line: line)
    }

    /// The renormalized softmax of a stage's output over `logits`.
    func after(_ spec: String, history: [Int] = [7]) throws -> [Double] {
        softmax(try applyStage(spec, logits, history: history).map(Double.init))
    }

    var base: [Double] { logits.map(Double.init) }

    func testPlainSamplingAndTemperature() throws {
        try check("temperature=1", expected: softmax(base))
        try check("temperature=0.7", expected: softmax(base.map { $0 / 0.7 }))
        try check("temperature=1.5", expected: softmax(base.map { $0 / 1.5 }))
    }

    func testCutoffs() throws {
        try check("top_k=3", expected: softmax(base.enumerated().map { $0.offset < 3 ? $0.element : -.infinity }))
        // p = softmax: 0.410, 0.249, 0.151, 0.090, … → top_p 0.7 keeps three.
        let p = softmax(base)
        XCTAssertLessThan(p[0] + p[1], 0.7)
        XCTAssertGreaterThan(p[0] + p[1] + p[2], 0.7)
        try check("top_p=0.7", expected: softmax(base.enumerated().map { $0.offset < 3 ? $0.element : -.infinity }))
        // min_p 0.2: keep p ≥ 0.2·p_max ⇔ logit ≥ 2 + ln 0.2 = 0.39 → four tokens.
        try check("min_p=0.2", expected: softmax(base.enumerated().map { $0.offset < 4 ? $0.element : -.infinity }))
        try check("typical_p=0.7", expected: try after("typical_p=0.7"))
        try check("epsilon_cutoff=0.05", expected: try after("epsilon_cutoff=0.05"))
        try check("eta_cutoff=0.05", expected: try after("eta_cutoff=0.05"))
        try check("top_n_sigma=1", expected: try after("top_n_sigma=1"))
    }

    func testXTCIsAMixture() throws {
        // With chance 0.5 the tokens of probability ≥ 0.08 (the first four) except the fourth go.
        let p = softmax(base)
        XCTAssertGreaterThan(p[3], 0.08)
        XCTAssertLessThan(p[4], 0.08)
        let cut = softmax(base.enumerated().map { $0.offset >= 3 ? $0.element : -.infinity })
        let expected = zip(p, cut).map { 0.5 * $0 + 0.5 * $1 }
        try check("xtc(probability=0.5,threshold=0.08)", expected: expected)
    }

    func testDynamicTemperature() throws {
        let p = softmax(base)
        let h = -p.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        let t = 0.3 + 1.4 * pow(h / log(8.0), 1.5)
        try check("dynamic_temperature(temperature=1,range=0.7,exponent=1.5)", expected: softmax(base.map { $0 / t }))
    }

    func testMirostatFirstSteps() throws {
        // v2, τ = 1.5 → μ = 3 bits: keep p ≥ 1/8.
        let p = softmax(base)
        let keep = p.map { -log2($0) <= 3 }
        try check("mirostat_v2(tau=1.5)", expected: softmax(zip(base, keep).map { $1 ? $0 : -.infinity }))
        // v1, τ = 2 (μ = 4; k ≈ 5.5): ŝ from the regression on logit gaps, then the best k.
        var tb = 0.0, tt = 0.0
        for i in 0..<7 {
            let t = log(Double(i + 2) / Double(i + 1))
            tb += t * (base[i] - base[i + 1])
            tt += t * t
        }
        let s = tb / tt
        let k = Int(pow((s - 1) * pow(2, 4) / (1 - pow(8, -(s - 1))), 1 / s))
        XCTAssertTrue((1..<8).contains(k), "k = \(k)")
        try check("mirostat(tau=2)", expected: softmax(base.enumerated().map { $0.offset < k ? $0.element : -.infinity }))
    }

    func testQwenChain() throws {
        // HF Qwen2.5 chain in manifest order, history [0, 3]: penalize 0 and 3, keep the top-p
        // set of the penalized distribution, then temperature.
        let spec = "repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7"
        var penalized = base
        penalized[0] /= 1.05
        penalized[3] /= 1.05
        let p = softmax(penalized)
        var order = Array(0..<8)
        order.sort { p[$0] > p[$1] }
        var kept = Set<Int>()
        var mass = 0.0
        for i in order where mass < 0.8 {
            kept.insert(i)
            mass += p[i]
        }
        let expected = softmax(penalized.enumerated().map { kept.contains($0.offset) ? $0.element / 0.7 : -.infinity })
        try check(spec, expected: expected, history: [0, 3])
    }
}
