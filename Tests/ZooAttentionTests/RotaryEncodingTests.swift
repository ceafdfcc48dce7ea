import XCTest
import ZooAttention

/// The RoPE kinds: dynamic NTK (Qwen v1), YaRN and linear (Qwen2.5 `rope_scaling`), standard.
final class RotaryEncodingTests: XCTestCase {
    // MARK: Dynamic NTK alpha: max(2^ceil(log2(L/S) + 1) − 1, 1)

    func testNTKAlphaAtTheBoundaries() {
        // Expected values from the formula by hand (and Python's `get_ntk_alpha`, which agrees):
        // L ≤ S → 1; S < L ≤ 2S → 3; 2S < L ≤ 4S → 7; 4S < L ≤ 8S → 15; 8S < L ≤ 16S → 31.
        for S in [16, 2048, 8192] {
            let expected: [(Int, Double)] = [
                (1, 1), (S - 1, 1), (S, 1), (S + 1, 3), (2 * S, 3), (2 * S + 1, 7), (4 * S, 7),
                (4 * S + 1, 15), (8 * S, 15), (8 * S + 1, 31), (16 * S, 31), (16 * S + 1, 63),
            ]
            for (L, alpha) in expected {
                XCTAssertEqual(RotaryEncoding.ntkAlpha(prefillLength: L, trainedLength: S), alpha, "L=\(L) S=\(S)")
            }
        }
    }

    func testNTKBaseFollowsTheSpec() {
        // base · alpha^(d/(d−2)), d = 128 (spec §1.4: 30527.74, 72195.86, 156588.32).
        XCTAssertEqual(RotaryEncoding.ntkBase(10000, alpha: 1, rotaryDim: 128), 10000)
        XCTAssertEqual(RotaryEncoding.ntkBase(10000, alpha: 3, rotaryDim: 128), 30527.7367488067, accuracy: 1e-6)
        XCTAssertEqual(RotaryEncoding.ntkBase(10000, alpha: 7, rotaryDim: 128), 72195.86008650938, accuracy: 1e-6)
        XCTAssertEqual(RotaryEncoding.ntkBase(10000, alpha: 15, rotaryDim: 128), 156588.32345714502, accuracy: 1e-6)
        // d = 16 (the fixtures' head size): exponent 16/14.
        XCTAssertEqual(RotaryEncoding.ntkBase(10000, alpha: 3, rotaryDim: 16), 35097.924382760604, accuracy: 1e-6)
    }

    func testDynamicNTKDependsOnThePrefillLength() {
        let encoding = RotaryEncoding(kind: .dynamicNTK(trainedLength: 16), rotaryDim: 16, base: 10000)
        XCTAssertNil(encoding.staticEmbedding)
        XCTAssertTrue(encoding.kind.isDynamic)
        XCTAssertEqual(encoding.embedding(prefillLength: 16), RotaryEmbedding(rotaryDim: 16, base: 10000))
        XCTAssertEqual(encoding.embedding(prefillLength: 24), RotaryEmbedding(rotaryDim: 16, base: 35097.924382760604))
        XCTAssertEqual(encoding.embedding(prefillLength: 40).attentionFactor, 1)
    }

    // MARK: YaRN

    // Reference values from transformers 5.23 `ROPE_INIT_FUNCTIONS["yarn"]` (fp32), computed with
    // python3 (scripts/requirements.txt) for a Qwen2Config with rope_scaling {"rope_type": "yarn", "factor": 4.0,
    // "original_max_position_embeddings": L0}; they agree with the spec §2.3 formulas.

    func testYaRNOnTheQwen25Shape() throws {
        // d = 128, b = 1e6, s = 4, L0 = 32768: corr(32) = 23.59 → low 23, corr(1) = 39.65 → high 40.
        let p = YaRNParameters(factor: 4, originalContextLength: 32768)
        let range = RotaryEncoding.yarnCorrectionRange(rotaryDim: 128, base: 1e6, p)
        XCTAssertEqual(range.low, 23)
        XCTAssertEqual(range.high, 40)
        let encoding = RotaryEncoding(kind: .yarn(p), rotaryDim: 128, base: 1e6)
        let rope = try XCTUnwrap(encoding.staticEmbedding)
        XCTAssertEqual(rope.inverseFrequencies.count, 64)
        let expected: [Int: Float] = [
            0: 1.0, 1: 0.8058422207832336, 22: 0.00865964312106371, 23: 0.006978305988013744,
            24: 0.005375321488827467, 30: 0.0010643609566614032, 35: 0.0002462583943270147,
            39: 6.490394298452884e-05, 40: 4.4456985051510856e-05, 63: 3.102344408034696e-07,
        ]
        for (j, value) in expected {
            XCTAssertEqual(rope.inverseFrequencies[j], value, accuracy: value * 2e-6, "j=\(j)")
        }
        // 0.1·ln(4) + 1
        XCTAssertEqual(rope.attentionFactor, 1.138629436111989, accuracy: 1e-7)
        XCTAssertEqual(encoding.embedding(prefillLength: 100_000), rope, "YaRN is static")
    }

    func testYaRNOnASmallHead() {
        // d = 16, b = 1e4, s = 4, L0 = 64: low 0, high 3.
        let p = YaRNParameters(factor: 4, originalContextLength: 64)
        let rope = RotaryEncoding(kind: .yarn(p), rotaryDim: 16, base: 10000).embedding(prefillLength: 1)
        let expected: [Float] = [
            1.0, 0.23717081546783447, 0.04999999701976776, 0.007905694656074047, 0.0024999999441206455,
            0.0007905694656074047, 0.0002500000118743628, 7.905694656074047e-05,
        ]
        for (j, value) in expected.enumerated() {
            XCTAssertEqual(rope.inverseFrequencies[j], value, accuracy: value * 2e-6, "j=\(j)")
        }
    }

    func testYaRNAttentionFactor() {
        func factor(_ s: Double, attention: Double? = nil, mscale: Double? = nil, all: Double? = nil) -> Double {
            RotaryEncoding.yarnAttentionFactor(
                YaRNParameters(factor: s, originalContextLength: 4096, attentionFactor: attention, mscale: mscale, mscaleAllDim: all))
        }
        let ln4: Double = log(4)
        XCTAssertEqual(factor(4), 0.1 * ln4 + 1, accuracy: 1e-12)
        XCTAssertEqual(factor(2), 1.0693147180559945, accuracy: 1e-12)
        XCTAssertEqual(factor(1), 1)
        XCTAssertEqual(factor(4, attention: 1.5), 1.5)
        let ratio: Double = (0.2 * ln4 + 1) / (0.1 * ln4 + 1)
        XCTAssertEqual(factor(4, mscale: 2, all: 1), ratio, accuracy: 1e-12)
    }

    // MARK: Linear and standard

    func testLinearDividesEveryFrequency() {
        // transformers `linear`, d = 16, b = 1e4, factor 4.
        let rope = RotaryEncoding(kind: .linear(factor: 4), rotaryDim: 16, base: 10000).embedding(prefillLength: 7)
        let expected: [Float] = [
            0.25, 0.07905694097280502, 0.02500000037252903, 0.007905694656074047, 0.0024999999441206455,
            0.0007905694656074047, 0.0002500000118743628, 7.905694656074047e-05,
        ]
        for (j, value) in expected.enumerated() {
            XCTAssertEqual(rope.inverseFrequencies[j], value, accuracy: value * 2e-6, "j=\(j)")
        }
        XCTAssertEqual(rope.attentionFactor, 1)
    }

    func testStandardKindIsThePlainEmbedding() {
        let encoding = RotaryEncoding(rotaryDim: 8, base: 1e6)
        XCTAssertEqual(encoding.staticEmbedding, RotaryEmbedding(rotaryDim: 8, base: 1e6))
        XCTAssertEqual(
            [RotaryKind.standard, .linear(factor: 2), .yarn(.init(factor: 2, originalContextLength: 8)),
             .dynamicNTK(trainedLength: 8)].map(\.name),
            ["default", "linear", "yarn", "dynamic-ntk"])
    }

    func testYaRNAttentionFactorScalesTheRotation() {
        let p = YaRNParameters(factor: 4, originalContextLength: 64)
        let rope = RotaryEncoding(kind: .yarn(p), rotaryDim: 4, base: 100).embedding(prefillLength: 1)
        var x: [Float] = [1, 2, 3, 4]
        rope.apply(to: &x, tokens: 1, heads: 1, headDim: 4, firstPosition: 0)
        // At position 0 the rotation is the identity, so only the factor on cos remains.
        for (value, original) in zip(x, [Float(1), 2, 3, 4]) {
            XCTAssertEqual(value, original * rope.attentionFactor, accuracy: 1e-6)
        }
    }
}

/// The per-sequence RoPE state of dynamic NTK.
final class RotaryKVCacheTests: XCTestCase {
    func testPrefillFixesTheEmbeddingUntilTheCacheIsEmptied() throws {
        let encoding = RotaryEncoding(kind: .dynamicNTK(trainedLength: 4), rotaryDim: 4, base: 100)
        let cache = RotaryKVCache(DenseKVCache(layers: 1, rowWidth: 2, capacity: 32))
        XCTAssertNil(cache.embedding)
        let keys = [Float](repeating: 1, count: 2 * 16)
        func step(_ tokens: Int) throws -> RotaryEmbedding {
            let rope = cache.embedding(for: encoding, newTokens: tokens)
            _ = try cache.write(layer: 0, keys: keys, values: keys, tokens: tokens)
            cache.commit(tokens: tokens)
            return rope
        }
        // A 6-token prompt on S = 4: alpha 3, kept by the following decode steps.
        let prefill = try step(6)
        XCTAssertEqual(prefill, encoding.embedding(prefillLength: 6))
        XCTAssertEqual(try step(1), prefill)
        XCTAssertEqual(try step(5), prefill, "later multi-token calls are not prefills")
        XCTAssertEqual(cache.prefillLength, 6)
        XCTAssertEqual(cache.count, 12)
        cache.truncate(to: 3)
        XCTAssertEqual(cache.embedding, prefill, "the remaining keys were rotated with it")
        cache.truncate(to: 0)
        XCTAssertNil(cache.embedding)
        XCTAssertEqual(try step(2), encoding.embedding(prefillLength: 2), "a new prefill chooses again")
    }

    func testAFailedPrefillDoesNotFixTheEmbedding() {
        let encoding = RotaryEncoding(kind: .dynamicNTK(trainedLength: 4), rotaryDim: 4, base: 100)
        let cache = RotaryKVCache(DenseKVCache(layers: 1, rowWidth: 2, capacity: 8))
        _ = cache.embedding(for: encoding, newTokens: 20)
        let keys = [Float](repeating: 0, count: 40)
        XCTAssertThrowsError(try cache.write(layer: 0, keys: keys, values: keys, tokens: 20))
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.embedding(for: encoding, newTokens: 3), encoding.embedding(prefillLength: 3))
    }
}
