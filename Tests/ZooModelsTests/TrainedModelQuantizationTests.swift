import Foundation
import XCTest
import ZooCore
import ZooKernels
import ZooModels
import ZooTestSupport

/// Quantization error where it means something: on the trained nano models (zoo/models/nano-*),
/// whose weights are smooth like a real model's, not on the random fixtures' sharp layers.
/// Each prompt of Tests/Fixtures/nano/*.json and its reference continuation run through the fp32
/// reference path and through each quantized format; the figure is the relative L2 error of all
/// the logits, ‖q − f‖ / ‖f‖.
final class TrainedModelQuantizationTests: XCTestCase {
    private struct Case: Decodable {
        struct Greedy: Decodable { let ids: [Int] }
        let prompt_ids: [Int]
        let greedy: Greedy
    }

    private struct File: Decodable {
        let cases: [Case]
    }

    private func worstError(_ precision: WeightPrecision) throws -> Double {
        var worst = 0.0
        for name in ["nano-base", "nano-chat", "nano-code", "nano-math"] {
            let directory = Fixtures.repositoryRoot.appendingPathComponent("zoo/models/\(name)")
            let exact = try ArchitectureRegistry.shared.load(directory: directory, options: ModelOptions(weightPrecision: .f32))
            let quantized = try ArchitectureRegistry.shared.load(directory: directory, options: ModelOptions(weightPrecision: precision))
            let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixtures.url("nano/\(name).json")))
            for item in file.cases {
                let ids = item.prompt_ids + item.greedy.ids.prefix(24)
                let f = try exact.forward(ids, cache: exact.makeCache(capacity: nil), logits: .all).values
                let q = try quantized.forward(ids, cache: quantized.makeCache(capacity: nil), logits: .all).values
                let difference = zip(q, f).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                let norm = f.reduce(0.0) { $0 + Double($1 * $1) }
                worst = max(worst, (difference / norm).squareRoot())
            }
        }
        return worst
    }

    func testQ8_0IsWithinOnePercent() throws {
        let withIntegerDots = try worstError(.q8_0)
        let saved = MatrixMultiply.integerDotProducts
        MatrixMultiply.integerDotProducts = false
        let withFloatActivations = try worstError(.q8_0)
        MatrixMultiply.integerDotProducts = saved
        print("nano models, worst relative logit error: q8_0 \(withIntegerDots) (8-bit activations), \(withFloatActivations) (fp32 activations)")
        XCTAssertLessThan(withIntegerDots, 0.01)
        XCTAssertLessThan(withFloatActivations, 0.01)
        XCTAssertGreaterThan(withFloatActivations, 0)
    }

    func testFourBitErrorsAreMeasuredAndBounded() throws {
        let q4_0 = try worstError(.q4_0), q4_K = try worstError(.q4_K)
        print("nano models, worst relative logit error: q4_0 \(q4_0), q4_K \(q4_K)")
        // The documented bounds (README): measured 0.079 (q4_0) and 0.038 (q4_K), with a margin.
        XCTAssertLessThan(q4_0, 0.12)
        XCTAssertLessThan(q4_K, 0.08)
        XCTAssertGreaterThan(q4_0, 0)
    }

    func testBF16ComputeErrorIsMeasuredAndBounded() throws {
        // dtype: bf16 rounds weights and every product's activations to bf16 (PyTorch's bfloat16).
        let bf16 = try worstError(.bf16)
        print("nano models, worst relative logit error: bf16 compute \(bf16)")
        XCTAssertLessThan(bf16, 0.01)  // measured 0.0019
        XCTAssertGreaterThan(bf16, 0)
    }
}
