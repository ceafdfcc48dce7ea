/// How a ``BatchScheduler`` shares its model among requests.
public struct SchedulerConfiguration: Sendable, Equatable {
    /// The most sequences (samples) in the running batch.
    public var parallel: Int
    /// The most requests that may wait for admission; more throw ``EngineOverloadError``. Requests
    /// that free places in the batch can take at once do not count as waiting.
    public var maxQueue: Int
    /// The KV memory budget in bytes for running sequences and the prefix cache (0: unbounded).
    public var kvBudgetBytes: Int
    /// The most prompt tokens one step prefills beside running streams, so they keep flowing during a
    /// long prompt: a step's time grows with its prompt tokens, and each running stream waits for it.
    public var prefillChunk: Int
    /// The most prompt tokens one step prefills when no stream is decoding: nothing waits for that step,
    /// so larger chunks only save steps (never less than ``prefillChunk``).
    public var idlePrefillChunk: Int
    /// The most finished sequences the prefix cache keeps (within the KV budget); 0 turns it off.
    public var prefixCacheEntries: Int
    /// Never samples the embedding rows past the tokenizer's last id (padding, never trained).
    public var masksPaddingRows: Bool

    /// The default ``prefillChunk``: on a 2-core CPU with a 0.5B model (bench/serve, 8 streams) 64
    /// halved the inter-token p99 of 256 and gave the best throughput and time to first token; 16
    /// smoothed the streams further but put new requests' first tokens later.
    public static let defaultPrefillChunk = 64
    /// The default ``idlePrefillChunk``.
    public static let defaultIdlePrefillChunk = 1024

    /// A configuration; the defaults suit a small CPU (4 sequences, 64 waiting, no memory limit).
    public init(parallel: Int = 4, maxQueue: Int = 64, kvBudgetBytes: Int = 0, prefillChunk: Int = defaultPrefillChunk,
                prefixCacheEntries: Int = 16, masksPaddingRows: Bool = true, idlePrefillChunk: Int = defaultIdlePrefillChunk) {
        self.parallel = max(1, parallel)
        self.maxQueue = max(0, maxQueue)
        self.kvBudgetBytes = max(0, kvBudgetBytes)
        self.prefillChunk = max(1, prefillChunk)
        self.idlePrefillChunk = max(self.prefillChunk, idlePrefillChunk)
        self.prefixCacheEntries = max(0, prefixCacheEntries)
        self.masksPaddingRows = masksPaddingRows
    }
}
