import Foundation
import XCTest
import ZooCore
@testable import ZooSamplers

/// Hand-computed cases for the stages HF does not have (llama.cpp / OpenAI definitions).
final class StageTests: XCTestCase {
    let inf = Float.infinity

    func testTopNSigma() throws {
        // mean 1.5, σ = √1.25 ≈ 1.118: n=1 keeps logits ≥ 1.882, n=2 keeps ≥ 0.764.
        XCTAssertEqual(try applyStage("top_n_sigma=1", [3, 2, 1, 0]), [3, 2, -inf, -inf])
        XCTAssertEqual(try applyStage("top_n_sigma=2", [3, 2, 1, 0]), [3, 2, 1, -inf])
        XCTAssertEqual(try applyStage("top_n_sigma=1", [3, 2, -inf, 1, 0]), [3, 2, -inf, -inf, -inf])
    }

    func testPresenceAndFrequencyPenalties() throws {
        let logits: [Float] = [1, 1, 1, 1, 1]
        // prompt [0, 0], generated [1, 1, 2]
        let history = [0, 0, 1, 1, 2]
        XCTAssertEqual(try applyStage("presence_penalty=0.5", logits, history: history, promptLength: 2), [1, 0.5, 0.5, 1, 1])
        XCTAssertEqual(try applyStage("frequency_penalty=0.5", logits, history: history, promptLength: 2), [1, 0, 0.5, 1, 1])
        XCTAssertEqual(
            try applyStage("frequency_penalty(value=0.5,include_prompt=true)", logits, history: history, promptLength: 2),
            [0, 0, 0.5, 1, 1])
        XCTAssertEqual(
            try applyStage("frequency_penalty(value=0.5,window=1)", logits, history: history, promptLength: 2),
            [1, 1, 0.5, 1, 1])
    }

    func testRepetitionPenaltyWindow() throws {
        // Whole sequence: ids 0 and 1 penalized; window 1: only the last id (1).
        XCTAssertEqual(try applyStage("repetition_penalty=2", [2, -2, 2], history: [0, 1]), [1, -4, 2])
        XCTAssertEqual(try applyStage("repetition_penalty(value=2,window=1)", [2, -2, 2], history: [0, 1]), [2, -4, 2])
    }

    func testDynamicTemperature() throws {
        // p = (0.5, 0.25, 0.25): H = 1.5 ln 2, H_max = ln 3, t = 0.5 + 1.0 · H/H_max = 1.4463946.
        let logits: [Float] = [log(0.5), log(0.25), log(0.25)]
        let t = 0.5 + 1.0 * (1.5 * log(2.0) / log(3.0))
        XCTAssertEqual(t, 1.4463946, accuracy: 1e-6)
        let out = try applyStage("dynamic_temperature(temperature=1,range=0.5)", logits)
        for (o, l) in zip(out, logits) { XCTAssertEqual(Double(o), Double(l) / t, accuracy: 1e-6) }
        // exponent 2: t = 0.5 + (H/H_max)²
        let t2 = 0.5 + pow(1.5 * log(2.0) / log(3.0), 2)
        let out2 = try applyStage("dynamic_temperature(temperature=1,range=0.5,exponent=2)", logits)
        for (o, l) in zip(out2, logits) { XCTAssertEqual(Double(o), Double(l) / t2, accuracy: 1e-6) }
        // range 0 is plain temperature
        XCTAssertEqual(try applyStage("dynamic_temperature(temperature=2)", [2, 4]), [1, 2])
    }

    func testLogitBiasBannedAllowed() throws {
        XCTAssertEqual(try applyStage("logit_bias(1=2.5,2=-inf)", [0, 0, 0]), [0, 2.5, -inf])
        XCTAssertEqual(try applyStage("banned_tokens=[0,1]", [1, 2, 3]), [-inf, -inf, 3])
        XCTAssertEqual(try applyStage("allowed_tokens=[0,2]", [1, 2, 3]), [1, -inf, 3])
        // Nothing allowed is in the vocabulary, or everything is banned: the best token stays.
        XCTAssertEqual(try applyStage("allowed_tokens=7", [1, 2, 3]), [-inf, -inf, 3])
        XCTAssertEqual(try applyStage("banned_tokens=[0,1,2]", [1, 2, 3]), [-inf, -inf, 3])
        XCTAssertEqual(try applyStage("allowed_tokens=[0,1]", [-inf, -inf, 3]), [-inf, -inf, 3])
    }

    func testXTC() throws {
        let logits: [Float] = [log(0.4), log(0.3), log(0.2), log(0.1)]
        // ≥ 0.15: 0.4, 0.3, 0.2 → all but the least probable of them go.
        XCTAssertEqual(try applyStage("xtc(probability=1,threshold=0.15)", logits), [-inf, -inf, logits[2], logits[3]])
        // Only one token above the threshold: nothing goes.
        XCTAssertEqual(try applyStage("xtc(probability=1,threshold=0.35)", logits), logits)
        // min_keep 3 would be violated (2 left): nothing goes.
        XCTAssertEqual(try applyStage("xtc(probability=1,threshold=0.15,min_keep=3)", logits), logits)
        // Probability 0 or a threshold above 0.5: no change, and no random draw.
        var stage = try makeStage("xtc(probability=0,threshold=0.1)")
        var candidates = try SamplerCandidates(logits: logits)
        var context = SamplingContext(prompt: [0], seed: 9)
        let before = context.random
        try stage.apply(to: &candidates, context: &context)
        XCTAssertEqual(context.random, before)
        XCTAssertEqual(try applyStage("xtc(probability=1,threshold=0.6)", logits), logits)
    }

    func testDRYFollowsLlamaCppExample() throws {
        // llama.cpp's comment: last tokens a b c c b c y a b c, repeat counts 0 0 3 1 0 2 0 0 0 0:
        // "c" would extend "a b c" (3 → penalty base^(3−2)), "y" would extend "b c" (2 → base^0),
        // "b" only "c" (1 < allowed_length).
        let (a, b, c, y) = (1, 2, 3, 4)
        let history = [a, b, c, c, b, c, y, a, b, c]
        let zeros = [Float](repeating: 0, count: 5)
        XCTAssertEqual(try applyStage("dry(multiplier=1,base=2,allowed_length=2)", zeros, history: history), [0, 0, 0, -2, -1])
        XCTAssertEqual(try applyStage("dry(multiplier=0.5,base=2,allowed_length=2)", zeros, history: history), [0, 0, 0, -1, -0.5])
        // "y" as a single-token breaker: never penalized; the repetition "a b c" after it still counts.
        XCTAssertEqual(
            try applyStage("dry(multiplier=1,base=2,allowed_length=2,sequence_breakers=[4])", zeros, history: history),
            [0, 0, 0, -2, 0])
        // "a" as a breaker 2 places from the end: repetitions are capped at 2.
        XCTAssertEqual(
            try applyStage("dry(multiplier=1,base=2,allowed_length=2,sequence_breakers=[1])", zeros, history: history),
            [0, 0, 0, -1, -1])
        // Two-token breaker "y a": the head y is 3 from the end, tail length 1 → cap 2.
        XCTAssertEqual(
            try applyStage("dry(multiplier=1,base=2,allowed_length=2,sequence_breakers=[[4,1]])", zeros, history: history),
            [0, 0, 0, -1, -1])
        // Only the last 4 tokens (y a b c): nothing repeats.
        XCTAssertEqual(
            try applyStage("dry(multiplier=1,base=2,allowed_length=2,penalty_last_n=4)", zeros, history: history), zeros)
        // allowed_length 3: only "c" (3).
        XCTAssertEqual(try applyStage("dry(multiplier=1,base=2,allowed_length=3)", zeros, history: history), [0, 0, 0, -1, 0])
    }

    func testMirostatV2TruncatesBySurpriseAndUpdatesMu() throws {
        // p = (1/2, 1/4, 1/8, 1/8): surprises 1, 2, 3, 3 bits; tau 1.1 → μ = 2.2 keeps the first two.
        let logits: [Float] = [log(0.5), log(0.25), log(0.125), log(0.125)]
        var chain = try SamplerChain(spec: "mirostat_v2(tau=1.1,eta=0.1)")
        chain.tracing = true
        var context = SamplingContext(prompt: [0], seed: 3)
        var row = logits
        let token = try chain.next(logits: &row, context: &context)
        XCTAssertTrue(token == 0 || token == 1)
        XCTAssertEqual(chain.lastTrace?.stages.first?.kept, 2)
        let p = token == 0 ? 2.0 / 3 : 1.0 / 3
        XCTAssertEqual(chain.lastTrace!.probability, p, accuracy: 1e-6)
        let stage = chain.stages[0] as! MirostatV2
        XCTAssertEqual(stage.mu, 2.2 - 0.1 * (-log2(p) - 1.1), accuracy: 1e-6)
        chain.reset()
        XCTAssertEqual((chain.stages[0] as! MirostatV2).mu, 2.2)
    }

    func testMirostatV1EstimatesZipfExponent() throws {
        // Exact Zipf logits −s·ln(i+1) give ŝ = s; with N = 8, s = 1.2, τ = 2 (μ = 4):
        // k = (0.2 · 2⁴ / (1 − 8^−0.2))^(1/1.2) = 6.47 → the best 6 stay.
        let s = 1.2
        let logits = (0..<8).map { Float(-s * log(Double($0 + 1))) }
        let k = pow(0.2 * 16 / (1 - pow(8, -0.2)), 1 / 1.2)
        XCTAssertEqual(Int(k), 6)
        var chain = try SamplerChain(spec: "mirostat(tau=2)")
        chain.tracing = true
        var context = SamplingContext(prompt: [0], seed: 3)
        var row = logits
        let token = try chain.next(logits: &row, context: &context)
        XCTAssertLessThan(token, 6)
        XCTAssertEqual(chain.lastTrace?.stages.first?.kept, 6)
    }

    func testGreedyAndTemperatureZero() throws {
        XCTAssertEqual(try applyStage("temperature=0", [1, 3, 3, 2]), [-inf, 3, -inf, -inf])
        var chain = try SamplerChain(spec: "temperature=0")
        var context = SamplingContext(prompt: [0], seed: 1)
        var greedy = SamplerChain.greedy
        for seed in 0..<20 {
            let logits = (0..<50).map { _ in Float.random(in: -5...5) }
            var a = logits, b = logits
            context.random = SeededRandom(seed: UInt64(seed))
            XCTAssertEqual(try chain.next(logits: &a, context: &context), Greedy.argmax(logits))
            XCTAssertEqual(try greedy.next(logits: &b, context: &context), Greedy.argmax(logits))
        }
    }
}
