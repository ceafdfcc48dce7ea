/// Keys and values of one layer for the tokens seen so far, as the attention reads them.
///
/// Rows are `[length, kvHeads * headDim]`, row `i` holding the token at position `i` (keys after
/// RoPE). The pointers are valid until the cache is next mutated.
public struct KVLayerView {
    public let keys: UnsafePointer<Float>
    public let values: UnsafePointer<Float>
    /// The number of rows, including the tokens of the current forward call.
    public let length: Int
    /// Floats between consecutive rows.
    public let rowStride: Int

    public init(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, length: Int, rowStride: Int) {
        self.keys = keys
        self.values = values
        self.length = length
        self.rowStride = rowStride
    }
}

/// A per-sequence store of attention keys and values, so that decoding a token costs one step
/// instead of a pass over the whole sequence.
///
/// One forward call first ``write(layer:keys:values:tokens:)`` for every layer, then
/// ``commit(tokens:)`` once, so a failed call leaves the cache as it was.
public protocol KVCache: AnyObject {
    /// The number of committed tokens.
    var count: Int { get }
    /// The most tokens the cache can hold.
    var capacity: Int { get }
    /// Stores `tokens` new rows for `layer` after the committed ones and returns every row.
    func write(layer: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, tokens: Int) throws
        -> KVLayerView
    /// Makes the rows written for the current call part of the sequence.
    func commit(tokens: Int)
    /// Forgets everything after the first `length` tokens (e.g. to reuse a shared prompt prefix).
    func truncate(to length: Int)
}

/// The cache is full: the sequence would grow past the model's context or the cache's capacity.
public struct ContextOverflowError: Error, CustomStringConvertible, Sendable {
    public let requested: Int
    public let capacity: Int
    public init(requested: Int, capacity: Int) {
        self.requested = requested
        self.capacity = capacity
    }
    public var description: String {
        "the sequence needs \(requested) positions but the context holds \(capacity)"
    }
}

/// A KV cache whose committed rows can be read back, so that a session can save its prompt
/// cache to disk and restore it later.
public protocol InspectableKVCache: KVCache {
    /// The number of transformer layers the cache holds rows for.
    var layerCount: Int { get }
    /// Floats per token per layer (`kvHeads * headDim`).
    var rowWidth: Int { get }
    /// The committed rows of `layer` (``KVLayerView/length`` equals ``KVCache/count``); the
    /// pointers are valid until the cache is next mutated.
    func committedRows(layer: Int) -> KVLayerView
}
