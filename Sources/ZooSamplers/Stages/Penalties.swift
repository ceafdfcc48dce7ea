import Foundation
import ZooCore

/// The ids a penalty looks at: the last `window` of the history (0 = all of it), optionally
/// without the prompt.
func penalizedTokens(_ context: SamplingContext, window: Int, includePrompt: Bool) -> ArraySlice<Int> {
    let tokens = includePrompt ? context.history[...] : context.generated
    return window > 0 ? tokens.suffix(window) : tokens
}

/// HF's multiplicative repetition penalty (`RepetitionPenaltyLogitsProcessor`, Keskar et al.
/// 2019): for every distinct id in the prompt and the generated ids, `logit < 0 ? logit · p :
/// logit / p`. `window > 0` looks only at the last `window` ids (llama.cpp's `penalty_last_n`,
/// mlx's context 20); 0 looks at the whole sequence (HF).
public struct RepetitionPenalty: SamplerStage {
    public let name = "repetition_penalty"
    public let penalty: Double
    public let window: Int
    private var seen = TokenTable<Bool>(zero: false)

    public init(_ penalty: Double, window: Int = 0) throws {
        try require(penalty > 0 && penalty.isFinite, "repetition_penalty", "must be > 0, found \(show(penalty))")
        try require(window >= 0, "repetition_penalty.window", "must be ≥ 0 (0 = whole sequence), found \(window)")
        self.penalty = penalty
        self.window = window
    }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard penalty != 1 else { return }
        seen.clear()
        for t in penalizedTokens(context, window: window, includePrompt: true) { seen.update(t) { $0 = true } }
        let p = Float(penalty)
        candidates.adjust(seen) { l, _ in l < 0 ? l * p : l / p }
    }
}

/// OpenAI's count-based penalties, `logit − value · f(count)` for every counted id: the generated
/// ids (the OpenAI and vLLM definition); `include_prompt: true` counts the prompt too (llama.cpp),
/// and `window > 0` only the last `window` ids. `Rule` says how the penalty grows with the count.
public struct CountPenalty<Rule: CountPenaltyRule>: SamplerStage {
    public var name: String { Rule.name }
    public let value: Double
    public let window: Int
    public let includePrompt: Bool
    private var counts = TokenTable<Int32>(zero: 0)

    public init(_ value: Double, window: Int = 0, includePrompt: Bool = false) throws {
        try require(value.isFinite, Rule.name, "must be a finite number, found \(show(value))")
        try require(window >= 0, "\(Rule.name).window", "must be ≥ 0 (0 = all), found \(window)")
        self.value = value
        self.window = window
        self.includePrompt = includePrompt
    }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard value != 0 else { return }
        counts.count(penalizedTokens(context, window: window, includePrompt: includePrompt))
        let v = Float(value)
        candidates.adjust(counts) { l, c in l - Rule.penalty(v, count: c) }
    }
}

/// How a ``CountPenalty`` grows with a token's count.
public protocol CountPenaltyRule: Sendable {
    /// The stage's registry name.
    static var name: String { get }
    /// What comes off the logit of a token counted `count` (> 0) times.
    static func penalty(_ value: Float, count: Int32) -> Float
}

/// OpenAI's presence penalty: `value` once for every counted token, whatever its count.
public typealias PresencePenalty = CountPenalty<PresenceRule>

/// OpenAI's frequency penalty: `value` per occurrence.
public typealias FrequencyPenalty = CountPenalty<FrequencyRule>

/// ``PresencePenalty``'s rule.
public enum PresenceRule: CountPenaltyRule {
    public static let name = "presence_penalty"
    public static func penalty(_ value: Float, count: Int32) -> Float { value }
}

/// ``FrequencyPenalty``'s rule.
public enum FrequencyRule: CountPenaltyRule {
    public static let name = "frequency_penalty"
    public static func penalty(_ value: Float, count: Int32) -> Float { value * Float(count) }
}

/// HF's `NoRepeatNGramLogitsProcessor`: bans every token that would complete an n-gram already
/// present in the history (prompt included). With `n = 1` every seen token is banned.
public struct NoRepeatNGram: SamplerStage {
    public let name = "no_repeat_ngram"
    public let n: Int
    private var banned: [Int] = []

    public init(_ n: Int) throws {
        try require(n >= 1, "no_repeat_ngram", "must be ≥ 1, found \(n)")
        self.n = n
    }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        let h = context.history
        let length = h.count
        guard length >= n else { return }
        banned.removeAll(keepingCapacity: true)
        let prefixStart = length - (n - 1)
        // Windows h[s..<s+n] with s + n ≤ length whose first n−1 ids equal the last n−1 ids.
        for s in 0...(length - n) {
            var match = true
            for j in 0..<(n - 1) where h[s + j] != h[prefixStart + j] {
                match = false
                break
            }
            if match { banned.append(h[s + n - 1]) }
        }
        candidates.mask(banned)
    }
}

/// DRY, "Don't Repeat Yourself" (koboldcpp PR #982 by pi6am, as llama.cpp's `llama_sampler_dry`):
/// a token that would extend a repetition of length `L ≥ allowed_length` of an earlier part of
/// the last `penalty_last_n` ids (−1 = the whole history, 0 = off) loses
/// `multiplier · base^(L − allowed_length)`. Repetitions never reach back across a sequence
/// breaker, and single-token breakers are never penalized. Breakers are token-id sequences (no
/// tokenizer here): llama.cpp's default `["\n", ":", "\"", "*"]` is `[[198], [25], [1], [9]]` in
/// Qwen's vocabulary.
public struct DRY: SamplerStage {
    public let name = "dry"
    public let multiplier: Double
    public let base: Double
    public let allowedLength: Int
    public let penaltyLastN: Int
    public let sequenceBreakers: [[Int]]
    private let singleTokenBreakers: Set<Int>
    private var repeatCount: [Int] = []
    private var reversed: [Int] = []
    private var maxRepeat = TokenTable<Int32>(zero: 0)

    public init(
        multiplier: Double, base: Double = 1.75, allowedLength: Int = 2, penaltyLastN: Int = -1,
        sequenceBreakers: [[Int]] = []
    ) throws {
        try require(multiplier >= 0 && multiplier.isFinite, "dry.multiplier", "must be ≥ 0, found \(show(multiplier))")
        try require(base >= 1 && base.isFinite, "dry.base", "must be ≥ 1, found \(show(base))")
        try require(allowedLength >= 1, "dry.allowed_length", "must be ≥ 1, found \(allowedLength)")
        try require(penaltyLastN >= -1, "dry.penalty_last_n", "must be ≥ -1 (-1 = whole history, 0 = off), found \(penaltyLastN)")
        for b in sequenceBreakers {
            try require(!b.isEmpty, "dry.sequence_breakers", "a breaker must hold at least one token id")
        }
        self.multiplier = multiplier
        self.base = base
        self.allowedLength = allowedLength
        self.penaltyLastN = penaltyLastN
        self.sequenceBreakers = sequenceBreakers
        singleTokenBreakers = Set(sequenceBreakers.filter { $0.count == 1 }.map { $0[0] })
    }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard multiplier > 0, penaltyLastN != 0 else { return }
        let history = context.history
        let length = penaltyLastN < 0 ? history.count : min(penaltyLastN, history.count)
        guard length > allowedLength else { return }
        // r[i] is the token i places from the end (r[0] = the last one).
        reversed.removeAll(keepingCapacity: true)
        for i in 0..<length { reversed.append(history[history.count - 1 - i]) }
        let r = reversed

        // 1. The nearest breaker limits how far back a repetition may reach.
        var limit = length
        search: for i in 0..<length {
            var longest = -1
            for b in sequenceBreakers where b[0] == r[i] && b.count - 1 > longest && b.count - 1 <= i {
                var match = true
                for k in 1..<b.count where b[k] != r[i - k] {
                    match = false
                    break
                }
                if match { longest = b.count - 1 }
            }
            if longest >= 0 {
                limit = i - longest
                break search
            }
        }
        guard limit >= allowedLength else { return }

        // 2. Z-function of r: z[k] = length of the longest common prefix of r and r[k...], i.e.
        //    how many ids before position k-from-the-end repeat the end of the history.
        repeatCount.removeAll(keepingCapacity: true)
        repeatCount.append(contentsOf: repeatElement(0, count: length))
        var left = 0
        var right = 0
        for k in 1..<length {
            var z = 0
            if k < right { z = min(right - k, repeatCount[k - left]) }
            while k + z < length && r[z] == r[k + z] { z += 1 }
            repeatCount[k] = z
            if k + z > right {
                left = k
                right = k + z
            }
        }

        // 3. The token that followed each repetition would extend it.
        maxRepeat.clear()
        for k in 1..<length {
            let n = min(repeatCount[k], limit)
            guard n >= allowedLength else { continue }
            let next = r[k - 1]
            if singleTokenBreakers.contains(next) { continue }
            maxRepeat.update(next) { $0 = max($0, Int32(n)) }
        }

        // 4. Penalize (single-token breakers were skipped above); the exponent is clamped against overflow.
        let maxExponent = base > 1.000001 ? Int(88.7228391 / Foundation.log(base)) : 0
        let (m, b, allowed) = (multiplier, base, allowedLength)
        candidates.adjust(maxRepeat) { l, n in
            var e = Int(n) - allowed
            if maxExponent > 0 && e > maxExponent { e = maxExponent }
            return l - Float(m * pow(b, Double(e)))
        }
    }
}

extension TokenTable where Value == Int32 {
    /// Resets the table to how often each id occurs in `tokens` (the presence and frequency penalties' input).
    mutating func count(_ tokens: some Sequence<Int>) {
        clear()
        for t in tokens { update(t) { $0 += 1 } }
    }
}
