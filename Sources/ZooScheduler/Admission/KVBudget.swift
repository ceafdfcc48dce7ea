import ZooAttention
import ZooCore

/// The KV memory a scheduler may hold, and what each request reserves of it.
///
/// A sample reserves its cache's whole capacity at admission (a ``DenseKVCache`` grows up to it,
/// never past it), so the memory in use never exceeds the budget, however the sequences grow.
struct KVBudget {
    /// The budget in bytes (0: unbounded).
    let limit: Int
    /// Bytes one token's keys and values take over every layer (0 when the cache does not say).
    let bytesPerToken: Int

    init(limit: Int, model: any LanguageModel) {
        self.limit = limit
        bytesPerToken = (DenseKVCache.underlying(model.makeCache(capacity: 1)))?.bytesPerToken ?? 0
    }

    /// What `request`'s samples reserve while they run.
    func reservation(for request: EngineRequest, contextLength: Int) -> Int {
        request.samples * request.cacheCapacity(contextLength: contextLength) * bytesPerToken
    }

    /// Whether `bytes` more fit next to `inUse`.
    func fits(_ bytes: Int, inUse: Int) -> Bool { limit == 0 || inUse + bytes <= limit }
}

extension DenseKVCache {
    /// The dense rows under `cache`, wrapped or not (to measure them).
    static func underlying(_ cache: any KVCache) -> DenseKVCache? {
        if let dense = cache as? DenseKVCache { return dense }
        if let rotary = cache as? RotaryKVCache { return rotary.storage as? DenseKVCache }
        return nil
    }
}
