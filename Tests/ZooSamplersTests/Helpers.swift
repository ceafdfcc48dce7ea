import Foundation
import XCTest
import ZooCore
@testable import ZooSamplers

/// Builds one stage from `--chain` syntax with the built-in registry.
func makeStage(_ spec: String) throws -> any SamplerStage {
    let specs = try ChainSyntax.parse(spec)
    precondition(specs.count == 1)
    return try BuiltinSamplerStages.makeRegistry().factory(specs[0].name)(ComponentOptions(specs[0].options))
}

/// Runs one stage over `logits` and returns the whole-vocabulary result (-inf = removed).
func applyStage(
    _ spec: String, _ logits: [Float], history: [Int] = [], promptLength: Int? = nil, seed: UInt64 = 0
) throws -> [Float] {
    var stage = try makeStage(spec)
    var candidates = try SamplerCandidates(logits: logits)
    var context = SamplingContext(prompt: Array(history.prefix(promptLength ?? history.count)), seed: seed)
    for t in history.dropFirst(promptLength ?? history.count) { context.append(t) }
    try stage.apply(to: &candidates, context: &context)
    return candidates.denseLogits
}

/// The softmax of `logits` in Double (0 for -inf).
func softmax(_ logits: [Double]) -> [Double] {
    let m = logits.max() ?? 0
    let e = logits.map { $0 == -.infinity ? 0 : exp($0 - m) }
    let z = e.reduce(0, +)
    return e.map { $0 / z }
}

func assertThrowsMessage(
    _ expression: @autoclosure () throws -> Any, _ expected: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try expression()
        XCTFail("expected an error containing \"\(expected)\"", file: file, line: line)
    } catch {
        XCTAssertTrue("\(error)".contains(expected), "\"\(error)\" does not contain \"\(expected)\"", file: file, line: line)
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 digits).
func logGamma(_ x: Double) -> Double {
    let g = 7.0
    let c: [Double] = [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7,
    ]
    let y = x - 1
    var sum = c[0]
    for i in 1..<9 { sum += c[i] / (y + Double(i)) }
    let t = y + g + 0.5
    return 0.5 * log(2 * Double.pi) + (y + 0.5) * log(t) - t + log(sum)
}

/// Upper regularized incomplete gamma Q(a, x) (Numerical Recipes' series / continued fraction).
func gammaQ(_ a: Double, _ x: Double) -> Double {
    if x <= 0 { return 1 }
    let gln = logGamma(a)
    if x < a + 1 {
        var sum = 1 / a
        var term = sum
        var ap = a
        for _ in 0..<10_000 {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * 1e-15 { break }
        }
        return 1 - sum * exp(-x + a * log(x) - gln)
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1..<10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny { d = tiny }
        c = b + an / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15 { break }
    }
    return exp(-x + a * log(x) - gln) * h
}

/// The chi-square goodness-of-fit p-value of `observed` counts against `expected` probabilities.
/// Categories with zero expected probability must never be observed.
func chiSquarePValue(observed: [Int], expected: [Double], file: StaticString = #filePath, line: UInt = #line) -> Double {
    let n = Double(observed.reduce(0, +))
    var chi2 = 0.0
    var categories = 0
    for (o, p) in zip(observed, expected) {
        if p == 0 {
            XCTAssertEqual(o, 0, "drew a token of probability 0", file: file, line: line)
            continue
        }
        categories += 1
        let e = n * p
        chi2 += (Double(o) - e) * (Double(o) - e) / e
    }
    return categories > 1 ? gammaQ(Double(categories - 1) / 2, chi2 / 2) : 1
}
