import ZooCore

/// Adds a fixed bias to chosen tokens' logits (OpenAI `logit_bias`, llama.cpp `logit_bias`, HF
/// `SequenceBiasLogitsProcessor` for single tokens). A bias of -∞ bans the token (if that would
/// ban every finite candidate, the best of them stays).
public struct LogitBias: SamplerStage {
    public let name = "logit_bias"
    public let bias: [Int: Double]
    private var table = TokenTable<Float>(zero: 0)
    private let bans: [Int]

    public init(_ bias: [Int: Double]) throws {
        for (id, b) in bias.sorted(by: { $0.key < $1.key }) {
            try require(id >= 0, "logit_bias", "token ids must be ≥ 0, found \(id)")
            try require(!b.isNaN && b < .infinity, "logit_bias.\(id)", "must be a finite number or -inf, found \(b)")
        }
        self.bias = bias
        for (id, b) in bias where b > -.infinity { table.update(id) { $0 = Float(b) } }
        bans = bias.filter { $0.value == -.infinity }.map(\.key).sorted()
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        candidates.adjust(table) { l, b in l + b }
        candidates.mask(bans)
    }
}

/// Bans tokens: their logits become -∞ (HF `SuppressTokensLogitsProcessor` / `bad_words_ids`
/// for single tokens). If every finite candidate is banned, the best of them stays.
public struct BannedTokens: SamplerStage {
    public let name = "banned_tokens"
    public let tokens: [Int]

    public init(_ tokens: [Int]) throws {
        for t in tokens { try require(t >= 0, "banned_tokens", "token ids must be ≥ 0, found \(t)") }
        self.tokens = Array(Set(tokens)).sorted()
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        candidates.mask(tokens)
    }
}

/// Keeps only the listed tokens (vLLM `allowed_token_ids`). If none of them has a finite
/// logit, the best candidate stays.
public struct AllowedTokens: SamplerStage {
    public let name = "allowed_tokens"
    public let tokens: [Int]

    public init(_ tokens: [Int]) throws {
        try require(!tokens.isEmpty, "allowed_tokens", "must list at least one token id")
        for t in tokens { try require(t >= 0, "allowed_tokens", "token ids must be ≥ 0, found \(t)") }
        self.tokens = Array(Set(tokens)).sorted()
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        candidates.keepOnly(tokens)
    }
}
