import XCTest
import ZooAttention
import ZooCore
import ZooModels
import ZooTestSupport

/// The fp16 KV cache (`attention: {kind: causal, kv_cache: f16}`): close to transformers' fp32
/// logits, and still a cache — decoding step by step equals recomputing the sequence.
final class HalfKVCacheTests: XCTestCase {
    private let options = ModelOptions(attention: CausalAttention(cachePrecision: .f16))

    func testLogitsStayCloseToTransformers() throws {
        var worst = 0.0
        for name in Qwen2Reference.checkpointNames {
            let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory(name), options: options)
            XCTAssertEqual((model.makeCache(capacity: 8) as? DenseKVCache)?.precision, .f16, name)
            for reference in try Qwen2Reference.load(name).cases {
                let logits = try model.forward(reference.ids, cache: model.makeCache(capacity: nil), logits: .all)
                for position in 0..<logits.rows {
                    // Relative to the row's largest logit: fp16 keeps 11 significant bits (~5e-4
                    // relative per stored key and value), and the checkpoints' logit scales differ. Measured
                    // worst: 2.1e-3 (mha-f32-tied).
                    let scale = Double(reference.logits[position].map { abs($0) }.max()!)
                    let difference = Double(maxAbsDifference(logits[position], reference.logits[position])) / scale
                    worst = max(worst, difference)
                    XCTAssertLessThanOrEqual(difference, 5e-3, "\(name) position \(position)")
                }
            }
        }
        print("f16 KV cache: worst logit difference from transformers, relative to the row's largest logit: \(worst)")
    }

    func testCachedDecodingMatchesFullRecomputation() throws {
        let name = "gqa-f32-untied"
        let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory(name), options: options)
        let ids = try Qwen2Reference.load(name).cases.map(\.ids).max { $0.count < $1.count }!
        let full = try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all)
        let cache = model.makeCache(capacity: nil)
        var stepped = try model.forward(Array(ids[..<2]), cache: cache, logits: .all).values
        for id in ids[2...] { stepped += try model.forward([id], cache: cache, logits: .last).values }
        XCTAssertEqual(stepped, full.values)
    }

    func testRowsAreStoredAsRoundedHalves() throws {
        let cache = DenseKVCache(layers: 1, rowWidth: 4, capacity: 4, precision: .f16)
        let keys: [Float] = [1.0, 0.1, -65504, 3.14159], values: [Float] = [1e-8, 2.5, -0.333333, 70000]
        let view = try cache.write(layer: 0, keys: keys, values: values, tokens: 1)
        XCTAssertEqual(view.precision, .f16)
        XCTAssertEqual((0..<4).map { view.halfKeys[$0] }, keys.map { Float16($0).bitPattern })
        XCTAssertEqual((0..<4).map { view.halfValues[$0] }, values.map { Float16($0).bitPattern })
    }
}
