import ZooCore
import ZooKernels

/// Full causal attention: the query at position `p` sees keys `0...p`.
///
/// Covers MHA, GQA and MQA: query head `h` reads KV head `h / groupSize`, as HF's `repeat_kv` does.
public struct CausalAttention: Attention {
    public init() {}

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
                for j in 0..<visible {
                    s[j] = VectorOps.dot(q, cache.keys + j * cache.rowStride + kvHead * d, count: d) * scale
                }
                VectorOps.softmax(s, count: visible)
                out.update(repeating: 0, count: d)
                for j in 0..<visible {
                    VectorOps.axpy(s[j], cache.values + j * cache.rowStride + kvHead * d, into: out, count: d)
                }
                item += chunks
            }
        }
    }
}
