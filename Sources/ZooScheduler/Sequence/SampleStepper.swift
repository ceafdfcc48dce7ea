import ZooCore

/// One sample's decoding, one id at a time: sample from the logits, then (through ``SampleReader``)
/// detokenize, watch for stop strings and stop ids, and apply the limits.
///
/// The only implementation of that step: the single-sequence decode loop (`DecodeLoop`) and the
/// batching scheduler both feed it one row of logits per generated id, and a remote engine feeds
/// the ids a server chose to the same ``SampleReader``, so a change to how generation ends is made
/// once, and a sample is the same wherever it runs.
public struct SampleStepper {
    /// What one step produced.
    public struct Step {
        /// The generated id (stop ids included) with the text it released and, when asked, its log-probabilities.
        public var token: TokenStep
        /// Why the sample ended with this id; `nil` while it goes on.
        public var finishReason: FinishReason?
    }

    /// The most ids to generate.
    public var maxTokens: Int { reader.maxTokens }
    /// Ids that end the sample.
    public var stopTokenIDs: Set<Int> { reader.stopTokenIDs }
    /// `nil`: no log-probabilities; `k`: the chosen id's and the `k` most likely.
    public let topLogprobs: Int?
    private let firstUnusableID: Int?
    private var sampler: any TokenSampler
    private var context: SamplingContext
    /// Detokenizes, watches the stops and applies the limits (shared with remote engines).
    private var reader: SampleReader
    /// The ids generated so far, a final stop id included.
    public var tokens: [Int] { reader.tokens }
    /// Why the sample ended; `nil` while it goes on.
    public var finishReason: FinishReason? { reader.finishReason }

    /// A sample after `prompt`, drawn by `sampler` (reset here) from a generator seeded with `seed`.
    ///
    /// - Parameters:
    ///   - tokenizer: turns ids into text; `nil` generates ids only.
    ///   - includeSpecialTokens: shows special tokens in the text instead of hiding them.
    ///   - firstUnusableID: ids from this one up are never sampled (embedding rows past the
    ///     tokenizer's last id, never trained); `nil`: every row is usable.
    public init(prompt: [Int], sampler: any TokenSampler, seed: UInt64, maxTokens: Int, stopTokenIDs: Set<Int>,
                stopStrings: [String] = [], topLogprobs: Int? = nil, tokenizer: (any Tokenizer)?,
                includeSpecialTokens: Bool = false, firstUnusableID: Int? = nil) {
        self.topLogprobs = topLogprobs
        self.firstUnusableID = firstUnusableID
        self.sampler = sampler
        self.sampler.reset()
        context = SamplingContext(prompt: prompt, seed: seed)
        reader = SampleReader(maxTokens: maxTokens, stopTokenIDs: stopTokenIDs, stopStrings: stopStrings,
                              tokenizer: tokenizer, includeSpecialTokens: includeSpecialTokens)
    }

    /// The text so far (stop ids, hidden special tokens and stop strings removed).
    public var text: String { reader.text }

    /// Chooses the next id from `logits` (the row of the last position) and returns it with the text
    /// it released.
    ///
    /// - Parameter roomForAnother: whether the sequence's cache can take the id (else the sample
    ///   ends with ``FinishReason/contextFull`` unless something else ended it first).
    public mutating func step(logits: ArraySlice<Float>, roomForAnother: Bool) throws -> Step {
        precondition(finishReason == nil, "the sample has ended")
        var row = Array(logits)
        if let first = firstUnusableID, first < row.count {
            for i in first..<row.count { row[i] = -.infinity }
        }
        let scores = topLogprobs == nil ? nil : row  // the samplers may change `row`
        let next = try sampler.next(logits: &row, context: &context)
        context.append(next)
        var token = TokenStep(id: next, text: "")
        if let scores, let top = topLogprobs {
            let (logprob, best) = LogSoftmax.logprobs(scores, chosen: next, top: top)
            token.logprob = logprob
            token.topLogprobs = best
        }
        token.text = try reader.read(next, roomForAnother: roomForAnother)
        return Step(token: token, finishReason: finishReason)
    }

    /// Ends the sample because its caller asked to; returns the text still held back.
    public mutating func stop() -> String {
        reader.end(.stoppedByCaller)
    }
}
