import ZooCore
import ZooKernels

/// Full causal attention: the query at position `p` sees keys `0...p`.
///
/// Covers MHA, GQA and MQA: query head `h` reads KV head `h / groupSize`, as HF's `repeat_kv` does.
///
/// Reads fp32 or fp16 cache rows; `cachePrecision` chooses which the model's cache keeps.
public struct CausalAttention: Attention {
    public let cachePrecision: KVPrecision

    /// - Parameter cachePrecision: `.f16` halves the KV cache's memory and the bytes a long
    ///   context's attention reads, at ~5e-4 relative error per stored value.
    public init(cachePrecision: KVPrecision = .f32) {
        self.cachePrecision = cachePrecision
    }

    public func attend(
        queries: UnsafePointer<Float>, tokens: Int, firstPosition: Int,
        cache: KVLayerView, shape: AttentionShape, scale: Float,
        output: UnsafeMutablePointer<Float>
    ) {
        let d = shape.headDim, group = shape.groupSize
        let qWidth = shape.queryHeads * d
        // One item is a (token, KV head) pair with its `group` query heads: each key and value row
        // is read once for the whole group (GQA) while it sits in L1, not once per query head.
        let work = tokens * shape.kvHeads
        let chunks = min(work, cache.length >= 64 ? Parallel.threadCount : 1)
        Parallel.forEach(chunks) { chunk in
            // Each thread's own buffer, reused: a decode step allocates no score buffer.
            let scores = ThreadScratch.floats(.attentionScores, count: group * cache.length)
            var item = chunk
            while item < work {
                let t = item / shape.kvHeads
                let kvHead = item % shape.kvHeads
                let firstHead = kvHead * group
                let visible = firstPosition + t + 1
                let column = kvHead * d
                let half = cache.precision == .f16
                let keys = half ? UnsafeRawPointer(cache.halfKeys + column) : UnsafeRawPointer(cache.keys + column)
                let values = half ? UnsafeRawPointer(cache.halfValues + column) : UnsafeRawPointer(cache.values + column)
                // Scores, softmax and the weighted sum of values for the group's heads (attention.c).
                VectorOps.attendGroup(
                    queries: queries + t * qWidth + firstHead * d, group: group, headDim: d, keys: keys, values: values,
                    halfPrecision: half, stride: cache.rowStride, visible: visible, scale: scale, scores: scores,
                    output: output + t * qWidth + firstHead * d)
                item += chunks
            }
        }
    }
}
