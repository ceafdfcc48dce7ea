import ZooCore

/// A KV cache that also remembers the rotary embedding its sequence was started with.
///
/// Dynamic NTK (Qwen v1) picks the RoPE base from the prompt length at prefill — the first forward
/// call on an empty cache — and keeps it for every later call of that sequence, as the reference
/// does (`_ntk_alpha_cached_list`): the cached keys were rotated with it. That choice belongs to the
/// sequence, so it lives here next to the keys, and the model stays immutable and shareable.
///
/// Truncating keeps the embedding while tokens remain (their keys were rotated with it);
/// emptying the cache makes the next call a new prefill.
public final class RotaryKVCache: KVCache {
    /// The cache holding the keys and values.
    public let storage: any KVCache
    private var fixed: (embedding: RotaryEmbedding, prefillLength: Int)?

    /// Wraps an empty cache.
    public init(_ storage: any KVCache) {
        precondition(storage.count == 0, "wrap an empty cache: the prefill fixes the rotary embedding")
        self.storage = storage
    }

    /// The embedding of the current sequence, nil while the cache is empty.
    public var embedding: RotaryEmbedding? { storage.count > 0 ? fixed?.embedding : nil }

    /// The length of the prefill that fixed ``embedding``, nil while the cache is empty.
    public var prefillLength: Int? { storage.count > 0 ? fixed?.prefillLength : nil }

    /// The embedding for a forward call of `newTokens` tokens: on an empty cache (a prefill)
    /// `encoding` chooses it from `newTokens` and it is remembered; afterwards, the remembered one.
    public func embedding(for encoding: RotaryEncoding, newTokens: Int) -> RotaryEmbedding {
        if storage.count == 0 || fixed == nil {
            fixed = (encoding.embedding(prefillLength: newTokens), newTokens)
        }
        return fixed!.embedding
    }

    public var count: Int { storage.count }
    public var capacity: Int { storage.capacity }

    public func write(
        layer: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, tokens: Int
    ) throws -> KVLayerView {
        try storage.write(layer: layer, keys: keys, values: values, tokens: tokens)
    }

    public func commit(tokens: Int) { storage.commit(tokens: tokens) }

    public func truncate(to length: Int) { storage.truncate(to: length) }
}
