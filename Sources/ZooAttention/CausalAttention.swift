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
        let d = shape.headDim
        let qWidth = shape.queryHeads * d
        let work = tokens * shape.queryHeads
        // Each (token, head) pair is independent; spread them over the cores for long prefills.
        let chunks = work >= 8 && cache.length >= 64 ? Parallel.threadCount : 1
        Parallel.forEach(chunks) { chunk in
            // Each thread's own buffer, reused: a decode step allocates nothing here.
            let s = ThreadScratch.floats(.attentionScores, count: cache.length)
            var item = chunk
            while item < work {
                let t = item / shape.queryHeads
                let h = item % shape.queryHeads
                let kvHead = h / shape.groupSize
                let q = queries + t * qWidth + h * d
                let out = output + t * qWidth + h * d
                let visible = firstPosition + t + 1
                let column = kvHead * d
                switch cache.precision {
                case .f32:
                    let keys = cache.keys + column
                    for j in 0..<visible { s[j] = VectorOps.dot(q, keys + j * cache.rowStride, count: d) * scale }
                case .f16:
                    let keys = cache.halfKeys + column
                    for j in 0..<visible { s[j] = VectorOps.dot(q, half: keys + j * cache.rowStride, count: d) * scale }
                }
                VectorOps.softmax(s, count: visible)
                out.update(repeating: 0, count: d)
                switch cache.precision {
                case .f32:
                    let values = cache.values + column
                    for j in 0..<visible { VectorOps.axpy(s[j], values + j * cache.rowStride, into: out, count: d) }
                case .f16:
                    let values = cache.halfValues + column
                    for j in 0..<visible { VectorOps.axpy(s[j], half: values + j * cache.rowStride, into: out, count: d) }
                }
                item += chunks
            }
        }
    }
}
