import ZooAttention
import ZooCore

/// The KV rows of recently finished sequences, so that a request sharing a prefix with one of them
/// (the same system prompt, the next turn of a chat) copies those rows instead of computing them.
///
/// Least recently used entries go first, when the entry limit or the KV budget asks for room. A
/// copied row is the row a fresh prefill writes, bit for bit: a hit changes no token or logprob.
struct PrefixCache {
    private struct Entry {
        let tokens: [Int]
        let cache: DenseKVCache
        let bytes: Int
        var lastUse: Int
    }

    let maxEntries: Int
    private var entries: [Entry] = []
    private var clock = 0
    /// Bytes the kept rows take.
    private(set) var bytes = 0

    init(maxEntries: Int) { self.maxEntries = maxEntries }

    var isEmpty: Bool { entries.isEmpty }

    /// Keeps a compact copy of `cache`'s rows of `tokens`. An entry that `tokens` extends is replaced;
    /// one that already extends `tokens` is only touched.
    mutating func insert(tokens: [Int], from cache: DenseKVCache, makeCache: (Int) -> any KVCache) {
        guard maxEntries > 0, tokens.count >= 2, cache.count >= tokens.count else { return }
        clock += 1
        if let i = entries.firstIndex(where: { $0.tokens.starts(with: tokens) }) {
            entries[i].lastUse = clock
            return
        }
        entries.removeAll { entry in
            guard tokens.starts(with: entry.tokens) else { return false }
            bytes -= entry.bytes
            return true
        }
        guard let copy = makeCache(tokens.count) as? DenseKVCache else { return }
        copy.copyPrefix(of: cache, length: tokens.count)
        let entry = Entry(tokens: tokens, cache: copy, bytes: tokens.count * copy.bytesPerToken, lastUse: clock)
        entries.append(entry)
        bytes += entry.bytes
        while entries.count > maxEntries { _ = evictLeastRecentlyUsed() }
    }

    /// Copies into `cache` the longest cached prefix of `prompt` (leaving at least its last id to run,
    /// whose logits the first sample needs) and returns its length (0: no hit).
    mutating func restore(_ prompt: [Int], into cache: DenseKVCache) -> Int {
        var best: (index: Int, length: Int)?
        for (i, entry) in entries.enumerated() {
            let limit = min(entry.tokens.count, prompt.count - 1)
            var common = 0
            while common < limit, entry.tokens[common] == prompt[common] { common += 1 }
            if common > (best?.length ?? 0) { best = (i, common) }
        }
        guard let best else { return 0 }
        clock += 1
        entries[best.index].lastUse = clock
        cache.copyPrefix(of: entries[best.index].cache, length: best.length)
        return best.length
    }

    /// Drops the least recently used entry; false when there is none.
    mutating func evictLeastRecentlyUsed() -> Bool {
        guard let i = entries.indices.min(by: { entries[$0].lastUse < entries[$1].lastUse }) else { return false }
        bytes -= entries[i].bytes
        entries.remove(at: i)
        return true
    }
}
