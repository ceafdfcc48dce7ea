/// One sequence's part of a batched forward pass: its new tokens, its own cache, and which of
/// its positions need logits.
public struct BatchEntry {
    /// The ids to run after those already in ``cache``: one for a decode step, a chunk for a prefill.
    public var tokens: [Int]
    /// The sequence's own cache; the tokens are appended to it.
    public var cache: any KVCache
    /// Which positions need logits; `nil` for none (a prefill chunk that is not the prompt's last).
    public var logits: LogitsSelection?

    /// An entry that runs `tokens` in `cache` and returns the `logits` rows (`nil`: none).
    public init(tokens: [Int], cache: any KVCache, logits: LogitsSelection?) {
        self.tokens = tokens
        self.cache = cache
        self.logits = logits
    }
}

/// A language model that runs one step of several sequences in one pass.
///
/// The rows of every entry go through the linear layers together, so the weights are read once
/// for the whole batch; RoPE runs at each row's own position and attention per sequence against
/// its own cache. Each entry's logits are bit-identical to what ``LanguageModel/forward(_:cache:logits:)``
/// returns for it alone: the kernels compute every row independently of the rows that share a call.
public protocol BatchedLanguageModel: LanguageModel {
    /// Runs every entry (each cache distinct) and returns each entry's selected logits, in order:
    /// `nil` for an entry that asked for none.
    ///
    /// Throws before changing any cache when an id is outside the embedding table or a cache
    /// would overflow.
    func forward(batch: [BatchEntry]) throws -> [Logits?]
}
