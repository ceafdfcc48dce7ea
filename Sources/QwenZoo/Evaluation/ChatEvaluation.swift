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

    /// Answers every conversation and counts the replies that ended on `<|im_end|>`. A conversation
    /// already in `results` (same position and prompt hash) is not answered again; each new record is
    /// appended to `results` as it is made. Throws for a tokenizer without `<|im_end|>`, a failed
    /// generation, or a results file written by another run.
    public func run(_ zoo: LoadedModel, items: [Item], results: EvaluationResultsFile? = nil,
                    progress: EvaluationProgress = { _, _ in }) throws -> Result {
        guard let imEnd = zoo.tokenizer.specialTokenID("<|im_end|>") else {
            throw EvaluationError("the tokenizer has no <|im_end|>: not a ChatML model")
        }
        // A conversation has no id in its data: its records name its line among the items, from 1.
        let hashes = try items.indices.map { index in
            let settings = RecordHash.settings(zoo, votes: 1, chain: [], maxTokens: maxTokens, seed: itemSeed(index))
            return RecordHash.of(run: "task-chat", settings: settings, tokens: try zoo.plan(.chat(items[index].messages)).tokens)
        }
        let kept = try items.indices.map { try results?.kept("\($0 + 1)", hash: hashes[$0]) }
        var records: [EvaluationRecord] = []
        try OrderedConcurrentWork<(record: EvaluationRecord, isNew: Bool)>(concurrency: concurrency).run(count: items.count) { [self] index in
            if let done = kept[index] { return (done, false) }
            let sample = try zoo.generate(.chat(items[index].messages),
                                          options: GenerationOptions(maxTokens: maxTokens, seed: itemSeed(index))).samples[0]
            let record = EvaluationRecord(id: "\(index + 1)", promptHash: hashes[index], output: sample.text, extracted: nil,
                                          gold: "<|im_end|>", correct: sample.finishReason == .stopToken(imEnd))
            return (record, true)
        } deliver: { index, result in
            if result.isNew { try results?.append(result.record) }
            records.append(result.record)
            progress(index + 1, items.count)
        }
        let n = Double(items.count)
        let nonEmpty = records.filter { !$0.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }.count
        return Result(conversations: items.count, endedWithImEnd: Double(records.filter(\.correct).count) / n,
                      nonEmpty: Double(nonEmpty) / n)
    }

    private func itemSeed(_ index: Int) -> UInt64 { seed &+ UInt64(index) &* 1000 }
}
