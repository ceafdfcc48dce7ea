import Foundation

/// Whether chat replies keep to ChatML: each held-out conversation is answered, and a reply counts
/// when generation ended on `<|im_end|>` (not on the token limit, `<|im_start|>` or `<|endoftext|>`).
public struct ChatEvaluation: Sendable {
    /// `{"messages": [{"role": "user", "content": "…"}, …]}` per line; the reply to the last
    /// user turn is generated.
    public struct Item: Decodable, Sendable {
        /// The conversation so far; the model answers its last user turn.
        public let messages: [ChatMessage]
    }

    /// How well the replies kept to ChatML.
    public struct Result: Sendable, Equatable {
        /// Conversations answered.
        public var conversations: Int
        /// The fraction of replies that ended with `<|im_end|>` (0 to 1).
        public var endedWithImEnd: Double
        /// The fraction of replies with any text before their end.
        public var nonEmpty: Double
    }

    /// Tokens per reply (default: the manifest's `max_tokens`).
    public var maxTokens: Int?
    /// The base seed; conversation i uses seed + 1000·i.
    public var seed: UInt64
    /// Conversations in flight at once (`--concurrency`), to keep a remote engine busy.
    public var concurrency = 1

    /// An evaluation with at most `maxTokens` per reply and the given base seed.
    public init(maxTokens: Int? = nil, seed: UInt64 = 0, concurrency: Int = 1) {
        self.concurrency = concurrency
        self.maxTokens = maxTokens
        self.seed = seed
    }

    /// Answers every conversation and counts the replies that ended on `<|im_end|>`; throws for a
    /// tokenizer without `<|im_end|>` or a failed generation.
    public func run(_ zoo: LoadedModel, items: [Item], progress: EvaluationProgress = { _, _ in }) throws -> Result {
        guard let imEnd = zoo.tokenizer.specialTokenID("<|im_end|>") else {
            throw EvaluationError("the tokenizer has no <|im_end|>: not a ChatML model")
        }
        var ended = 0, nonEmpty = 0
        try OrderedConcurrentWork<GeneratedSample>(concurrency: concurrency).run(count: items.count) { [maxTokens, seed] index in
            try zoo.generate(.chat(items[index].messages),
                             options: GenerationOptions(maxTokens: maxTokens, seed: seed &+ UInt64(index) &* 1000)).samples[0]
        } deliver: { index, sample in
            if sample.finishReason == .stopToken(imEnd) { ended += 1 }
            if !sample.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { nonEmpty += 1 }
            progress(index + 1, items.count)
        }
        let n = Double(items.count)
        return Result(conversations: items.count, endedWithImEnd: Double(ended) / n, nonEmpty: Double(nonEmpty) / n)
    }
}
