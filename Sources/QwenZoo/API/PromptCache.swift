import ZooAttention
import ZooCore
import ZooModels

/// A KV cache together with the token ids it holds, so that a new prompt only prefills what
/// the cache does not already hold.
///
/// A chat session keeps one between turns: the next turn's prompt starts with the previous
/// turn's prompt and reply, so only the new message runs through the model. ``prefill(_:chunkSize:shouldStop:)``
/// keeps the longest common prefix of the cached ids and the new prompt, truncates the rest and
/// runs only the new tokens; the logits are bit-identical to a fresh prefill of the whole prompt.
///
/// A prompt cache belongs to one sequence and is not thread-safe; a ``Session`` owns one and
/// lets one request at a time use it.
public final class PromptCache {
    /// The model whose keys and values the cache holds.
    public let model: any LanguageModel
    /// The underlying cache, as the model made it.
    public let storage: any KVCache
    /// The ids whose keys and values are in ``storage``, in order.
    public private(set) var tokens: [Int] = []

    /// An empty cache for `model` holding up to `capacity` tokens (default: the model's context).
    public init(model: any LanguageModel, capacity: Int? = nil) {
        self.model = model
        storage = model.makeCache(capacity: capacity)
    }

    /// The number of cached tokens.
    public var count: Int { tokens.count }

    /// Forgets every cached token.
    public func reset() {
        storage.truncate(to: 0)
        tokens = []
    }

    /// How many leading ids of `prompt` the cache can keep: the longest common prefix of
    /// ``tokens`` and `prompt`, less one when it would cover the whole prompt (the last prompt
    /// token must run to give the next token's logits).
    ///
    /// Qwen v1's dynamic NTK fixes the rotary embedding at a sequence's prefill from its length;
    /// when a fresh prefill of `prompt` would pick another embedding, nothing is reusable.
    public func reusableLength(for prompt: [Int]) -> Int {
        var common = 0
        let limit = min(tokens.count, prompt.count - 1)
        while common < limit, tokens[common] == prompt[common] { common += 1 }
        if common > 0, let rotary = storage as? RotaryKVCache, let v1 = model as? QwenV1Model,
           rotary.embedding != v1.rope.embedding(prefillLength: prompt.count) {
            return 0
        }
        return common
    }

    /// Makes the cache hold exactly `prompt` and returns the logits of its last position and the
    /// number of ids that were reused rather than computed.
    ///
    /// - Parameters:
    ///   - prompt: the whole prompt (at least one id).
    ///   - chunkSize: runs the new tokens in chunks of at most this many (nil: all at once), so
    ///     `shouldStop` is consulted between chunks of a long prompt. Ignored for Qwen v1's dynamic
    ///     NTK, whose rotary embedding depends on the length of the first call.
    ///   - shouldStop: returning true abandons the prefill with `CancellationError`; the cache
    ///     keeps the chunks that already ran.
    @discardableResult
    public func prefill(_ prompt: [Int], chunkSize: Int? = nil, shouldStop: () -> Bool = { false }) throws
        -> (logits: Logits, reused: Int)
    {
        guard !prompt.isEmpty else { throw EmptyPromptError() }
        let reused = keepReusablePrefix(of: prompt)
        let step = storage is RotaryKVCache ? prompt.count : max(1, chunkSize ?? prompt.count)
        var start = reused
        var logits: Logits?
        while start < prompt.count {
            if shouldStop() { throw CancellationError() }
            let chunk = Array(prompt[start..<min(start + step, prompt.count)])
            logits = try model.forward(chunk, cache: storage, logits: .last)
            tokens += chunk
            start += chunk.count
        }
        return (logits!, reused)
    }

    /// Runs one more token after the cached ones and returns the logits of its position.
    public func append(_ token: Int) throws -> Logits {
        let logits = try model.forward([token], cache: storage, logits: .last)
        tokens.append(token)
        return logits
    }

    /// Whether the cache has room for another token.
    public var isFull: Bool { storage.count >= storage.capacity }

    /// Replaces the cache's contents with `tokens` and their stored rows (what a restore does).
    func load(tokens newTokens: [Int], ropePrefillLength: Int?,
              rows: (_ layer: Int, _ keys: UnsafeMutablePointer<Float>, _ values: UnsafeMutablePointer<Float>) throws -> Void,
              layers: Int, rowWidth: Int) throws {
        reset()
        guard !newTokens.isEmpty else { return }
        if let rotary = storage as? RotaryKVCache, let v1 = model as? QwenV1Model {
            _ = rotary.embedding(for: v1.rope, newTokens: ropePrefillLength ?? newTokens.count)
        }
        let n = newTokens.count
        let keys = UnsafeMutablePointer<Float>.allocate(capacity: n * rowWidth)
        let values = UnsafeMutablePointer<Float>.allocate(capacity: n * rowWidth)
        defer {
            keys.deallocate()
            values.deallocate()
        }
        for layer in 0..<layers {
            try rows(layer, keys, values)
            _ = try storage.write(layer: layer, keys: keys, values: values, tokens: n)
        }
        storage.commit(tokens: n)
        tokens = newTokens
    }

    /// The readable cache under any wrapper, and the prefill length a Qwen v1 sequence fixed.
    var inspectable: (cache: any InspectableKVCache, ropePrefillLength: Int?)? {
        if let rotary = storage as? RotaryKVCache {
            guard let inner = rotary.storage as? any InspectableKVCache else { return nil }
            return (inner, rotary.prefillLength)
        }
        guard let dense = storage as? any InspectableKVCache else { return nil }
        return (dense, nil)
    }
}

// MARK: - Running in a scheduler

extension PromptCache {
    /// Keeps only the rows `prompt` can reuse (see ``reusableLength(for:)``), so that a scheduler
    /// continues the sequence in ``storage``; returns how many.
    func keepReusablePrefix(of prompt: [Int]) -> Int {
        let reused = reusableLength(for: prompt)
        storage.truncate(to: reused)
        tokens.removeLast(tokens.count - reused)
        return reused
    }

    /// Records that ``storage`` now holds the first rows of `sequence` (a prompt and its generated
    /// ids), as a scheduler left it.
    func adopt(_ sequence: [Int]) {
        storage.truncate(to: min(storage.count, sequence.count))
        tokens = Array(sequence.prefix(storage.count))
    }
}
