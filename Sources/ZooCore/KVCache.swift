/// How a KV cache stores its rows.
public enum KVPrecision: String, Sendable, CaseIterable {
    /// 32-bit floats: exactly what the layer computed.
    case f32
    /// IEEE half floats (rounded to nearest even): half the memory, and half the bytes a long
    /// context's attention reads per token, for a relative error of about 5e-4 per value.
    case f16
}

/// Keys and values of one layer for the tokens seen so far, as the attention reads them.
///
/// Rows are `[length, kvHeads * headDim]`, row `i` holding the token at position `i` (keys after
/// RoPE), as fp32 (``keys``, ``values``) or fp16 (``halfKeys``, ``halfValues``) according to
/// ``precision``. The pointers are valid until the cache is next mutated.
public struct KVLayerView {
    /// How the rows are stored.
    public let precision: KVPrecision
    private let keyBase: UnsafeRawPointer
    private let valueBase: UnsafeRawPointer
    /// The number of rows, including the tokens of the current forward call.
    public let length: Int
    /// Elements between consecutive rows.
    public let rowStride: Int

    /// A view of fp32 rows.
    public init(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, length: Int, rowStride: Int) {
        self.init(.f32, UnsafeRawPointer(keys), UnsafeRawPointer(values), length: length, rowStride: rowStride)
    }

    /// A view of fp16 rows.
    public init(halfKeys: UnsafePointer<UInt16>, halfValues: UnsafePointer<UInt16>, length: Int, rowStride: Int) {
        self.init(.f16, UnsafeRawPointer(halfKeys), UnsafeRawPointer(halfValues), length: length, rowStride: rowStride)
    }

    private init(_ precision: KVPrecision, _ keyBase: UnsafeRawPointer, _ valueBase: UnsafeRawPointer, length: Int, rowStride: Int) {
        self.precision = precision
        self.keyBase = keyBase
        self.valueBase = valueBase
        self.length = length
        self.rowStride = rowStride
    }

    /// The fp32 keys; only for a view whose ``precision`` is `.f32`.
    public var keys: UnsafePointer<Float> { rows(keyBase, .f32, else: "halfKeys") }

    /// The fp32 values; only for a view whose ``precision`` is `.f32`.
    public var values: UnsafePointer<Float> { rows(valueBase, .f32, else: "halfValues") }

    /// The fp16 keys; only for a view whose ``precision`` is `.f16`.
    public var halfKeys: UnsafePointer<UInt16> { rows(keyBase, .f16, else: "keys") }

    /// The fp16 values; only for a view whose ``precision`` is `.f16`.
    public var halfValues: UnsafePointer<UInt16> { rows(valueBase, .f16, else: "values") }

    /// `base` as rows of `T`, which a view stores only at `stored` precision; reading the other
    /// kind is a programming error that names the accessor to use (`accessor`).
    @inline(__always)
    private func rows<T>(_ base: UnsafeRawPointer, _ stored: KVPrecision, else accessor: String) -> UnsafePointer<T> {
        precondition(precision == stored, "this KV cache stores \(precision) rows: read \(accessor)")
        return base.assumingMemoryBound(to: T.self)
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
