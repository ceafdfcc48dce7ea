/// What a sampler knows about the sequence it is choosing the next token for.
///
/// One context belongs to one generation request: it holds the prompt and the generated ids,
/// and the request's own random generator (seeded per request, so runs are reproducible and
/// sessions never share random state).
public struct SamplingContext: Sendable {
    /// The prompt followed by every id generated so far.
    public private(set) var history: [Int]
    /// How many ids at the start of ``history`` are the prompt.
    public let promptLength: Int
    /// The request's random generator; every random decision of a sampler draws from it.
    public var random: SeededRandom

    public init(prompt: [Int], seed: UInt64) {
        history = prompt
        promptLength = prompt.count
        random = SeededRandom(seed: seed)
    }

    /// The ids generated so far (``history`` without the prompt).
    public var generated: ArraySlice<Int> { history[promptLength...] }

    /// Records the id that was just chosen.
    public mutating func append(_ token: Int) {
        history.append(token)
    }
}

/// Picks the next token from a row of logits.
///
/// Samplers see logits and the token history only, never the model or the prompt format, so a
/// chain of them can be rearranged freely. A sampler may modify (or exchange) the logits it is
/// given: on return `logits` holds unspecified values.
public protocol TokenSampler {
    /// Forgets per-request state (penalty windows, mirostat's target…); called before each request.
    mutating func reset()

    /// Chooses the next token id from `logits` (one row, indexed by token id). Throws when the
    /// logits cannot be sampled (NaN or +∞ scores, nothing finite).
    mutating func next(logits: inout [Float], context: inout SamplingContext) throws -> Int
}

extension TokenSampler {
    public mutating func reset() {}
}
