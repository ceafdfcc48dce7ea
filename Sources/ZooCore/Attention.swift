/// The head layout of one attention layer.
public struct AttentionShape: Sendable, Equatable {
    public let queryHeads: Int
    public let kvHeads: Int
    public let headDim: Int

    public init(queryHeads: Int, kvHeads: Int, headDim: Int) {
        precondition(queryHeads % kvHeads == 0, "query heads must be a multiple of KV heads")
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads
        self.headDim = headDim
    }

    /// How many query heads share one KV head (1 for MHA, `queryHeads` for MQA).
    public var groupSize: Int { queryHeads / kvHeads }
}

/// Scaled dot-product attention of new queries against cached keys and values.
///
/// Implementations decide which keys each query may see (causal, sliding window, …); the model
/// decides everything before (projections, RoPE, query scaling) and after (output projection).
public protocol Attention: Sendable {
    /// Computes `softmax(q·kᵀ·scale + mask)·v` for `tokens` queries.
    ///
    /// - Parameters:
    ///   - queries: `[tokens, queryHeads * headDim]`; query `t` sits at position `firstPosition + t`.
    ///   - cache: every key/value row up to and including the current tokens.
    ///   - output: `[tokens, queryHeads * headDim]`.
    func attend(
        queries: UnsafePointer<Float>, tokens: Int, firstPosition: Int,
        cache: KVLayerView, shape: AttentionShape, scale: Float,
        output: UnsafeMutablePointer<Float>)

    /// How the KV cache a model makes for this attention stores its rows (default fp32): the
    /// attention reads them, so it says which layouts it can read.
    var cachePrecision: KVPrecision { get }
}

extension Attention {
    public var cachePrecision: KVPrecision { .f32 }
}
