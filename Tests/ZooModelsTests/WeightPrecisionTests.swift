import Foundation
import XCTest
import ZooCore
import ZooModels
import ZooTestSupport

/// The fast weight formats against the fp32 reference path.
final class WeightPrecisionTests: XCTestCase {
    private func logits(_ name: String, _ precision: WeightPrecision, ids: [Int]) throws -> Logits {
        let model = try ArchitectureRegistry.shared.load(
            directory: Qwen2Reference.directory(name), options: ModelOptions(weightPrecision: precision))
        return try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all)
    }

    func testSixteenBitWeightsKeptAsStoredEqualTheWidenedPath() throws {
        for name in ["gqa-bf16-tied", "gqa-f16-untied-sharded"] {
            let ids = try Qwen2Reference.load(name).cases[2].ids
            let stored = try logits(name, .asStored, ids: ids)
            let widened = try logits(name, .f32, ids: ids)
            XCTAssertEqual(stored.values, widened.values, "\(name): 16-bit kernels do the fp32 path's arithmetic")
        }
    }

    func testQ8_0StaysCloseToTheFloatLogits() throws {
        for name in ["gqa-f32-untied", "mqa-f32-sharded", "gqa-bf16-tied"] {
            for reference in try Qwen2Reference.load(name).cases {
                let quantized = try logits(name, .q8_0, ids: reference.ids)
                let exact = try logits(name, .f32, ids: reference.ids)
                // Relative L2 error of the logits: ‖q − f‖ / ‖f‖.
                let difference = zip(quantized.values, exact.values).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                let norm = exact.values.reduce(0.0) { $0 + Double($1 * $1) }
                let relative = (difference / norm).squareRoot()
                // Measured on these fixtures: 1.0–3.5 % (their small, sharp random layers amplify the
                // ~0.5 % per-weight rounding of q8_0); the bound guards against a broken kernel.
                XCTAssertLessThan(relative, 0.05, "\(name), \(reference.ids.count) tokens")
                XCTAssertGreaterThan(relative, 0, "q8_0 really quantizes")
            }
        }
    }

    func testQ8_0CachedDecodingEqualsRecomputation() throws {
        let name = "gqa-f32-untied"
        let model = try ArchitectureRegistry.shared.load(
            directory: Qwen2Reference.directory(name), options: ModelOptions(weightPrecision: .q8_0))
        let ids = try Qwen2Reference.load(name).cases[2].ids
        let full = try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all)
        let cache = model.makeCache(capacity: nil)
        var stepped = try model.forward(Array(ids.prefix(5)), cache: cache, logits: .all).values
        for id in ids.dropFirst(5) { stepped += try model.forward([id], cache: cache, logits: .last).values }
        XCTAssertEqual(stepped, full.values)
    }

    func testQ4_0ErrorIsMeasuredAndBounded() throws {
        var worst = 0.0
        for name in ["gqa-f32-untied", "mqa-f32-sharded"] {
            for reference in try Qwen2Reference.load(name).cases {
                let quantized = try logits(name, .q4_0, ids: reference.ids)
                let exact = try logits(name, .f32, ids: reference.ids)
                let difference = zip(quantized.values, exact.values).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                let norm = exact.values.reduce(0.0) { $0 + Double($1 * $1) }
                worst = max(worst, (difference / norm).squareRoot())
            }
        }
        // Measured on these fixtures: up to 0.49. Their small random layers with sharp attention
        // amplify q4_0's coarse steps (16x q8_0's) far more than trained weights do; the bound only
        // guards against a broken kernel, and the real error belongs on a trained model (issue 6).
        XCTAssertLessThan(worst, 0.6)
        XCTAssertGreaterThan(worst, 0)
        print("q4_0 worst relative L2 logit error on the fixtures: \(worst)")
    }
}
