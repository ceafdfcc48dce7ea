// The Qwen v1 architecture (`QWenLMHeadModel`): Qwen-1.8B, 7B, 14B and their Chat versions.
// Mirrors Qwen's own `modeling_qwen.py` (as released with Qwen-7B); tensor names are the checkpoint's.
import Foundation
import ZooAttention
import ZooCore
import ZooKernels

/// A Qwen v1 causal language model computed in fp32, with dynamic NTK RoPE and LogN attention.
///
/// The model is immutable and can be shared by sessions. The one piece of per-sequence state —
/// the RoPE frequencies dynamic NTK fixes at prefill from the prompt length — lives in the cache
/// ``makeCache(capacity:)`` returns (a ``RotaryKVCache``).
public final class QwenV1Model: LanguageModel {
    public let configuration: QwenV1Configuration
    public let options: Options
    public let endOfSequenceIDs: [Int]
    /// Embedding rows; ids past the tokenizer's last one are padding the runtime never samples.
    public var vocabularySize: Int { configuration.vocabSize }
    /// `max(max_position_embeddings, seq_length)`, capped at the 32767 positions of the
    /// reference's LogN buffer when LogN scaling is on.
    public let contextLength: Int
    /// The RoPE component: its kind comes from ``Options/rope``.
    public let rope: RotaryEncoding

    private let weights: Weights
    /// The RoPE of every sequence when the kind does not depend on the prompt length.
    private let staticRope: RotaryEmbedding?
    private let logN: LogNAttentionScaling?
    private let attention: any Attention
    private let shape: AttentionShape

    /// Loads the weights of `checkpoint`, checking every tensor's presence and shape.
    ///
    /// `options` default to the config's `use_dynamic_ntk` and `use_logn_attn`.
    public init(
        configuration: QwenV1Configuration, checkpoint: Checkpoint, generation: GenerationConfig? = nil,
        options: Options? = nil, attention: any Attention = CausalAttention(),
        precision: WeightPrecision = .asStored
    ) throws {
        let options = options ?? Options(configuration)
        if options.logNAttention, configuration.seqLength < 2 {
            throw ConfigError(file: nil, field: "seq_length", message: "must be at least 2 for LogN attention scaling")
        }
        self.configuration = configuration
        self.options = options
        self.weights = try Weights(
            configuration, CachedQuantizedSource.wrapping(checkpoint, precision: precision), precision: precision)
        self.rope = RotaryEncoding(kind: options.rope, rotaryDim: configuration.rotaryDim, base: configuration.rotaryEmbBase)
        self.staticRope = rope.staticEmbedding
        self.logN = options.logNAttention ? LogNAttentionScaling(trainedLength: configuration.seqLength) : nil
        self.attention = attention
        self.shape = AttentionShape(
            queryHeads: configuration.numAttentionHeads, kvHeads: configuration.numAttentionHeads,
            headDim: configuration.kvChannels)
        self.endOfSequenceIDs = generation?.eosTokenIDs ?? configuration.eosTokenIDs
        let longest = max(configuration.maxPositionEmbeddings, configuration.seqLength)
        self.contextLength = options.logNAttention ? min(longest, LogNAttentionScaling.referencePositionLimit) : longest
    }

    /// A ``RotaryKVCache`` over a ``DenseKVCache``: it remembers the RoPE fixed at prefill.
    public func makeCache(capacity: Int?) -> any KVCache {
        RotaryKVCache(
            DenseKVCache(
                layers: configuration.numHiddenLayers, rowWidth: configuration.hiddenSize,
                capacity: capacity ?? contextLength, precision: attention.cachePrecision))
    }

    /// The RoPE for this call: static kinds need no state; dynamic NTK takes the one the cache
    /// fixed at prefill (the first call on an empty cache), as the reference does.
    private func rotaryEmbedding(cache: any KVCache, newTokens: Int) throws -> RotaryEmbedding {
        if let staticRope { return staticRope }
        if let cache = cache as? RotaryKVCache { return cache.embedding(for: rope, newTokens: newTokens) }
        guard cache.count == 0 else {
            throw ConfigError(
                file: nil, field: "use_dynamic_ntk",
                message: "decoding with dynamic NTK needs the cache from makeCache(capacity:), which keeps the prefill's RoPE")
        }
        return rope.embedding(prefillLength: newTokens)
    }

    public func forward(_ tokens: [Int], cache: any KVCache, logits selection: LogitsSelection) throws -> Logits {
        try forward(batch: [BatchEntry(tokens: tokens, cache: cache, logits: selection)])[0]!
    }
}

// MARK: - Forward pass

extension QwenV1Model: BatchedLanguageModel {
    /// One step of every entry: all rows together through the linear layers; RoPE (each sequence's
    /// own frequencies), LogN and attention per sequence.
    public func forward(batch: [BatchEntry]) throws -> [Logits?] {
        let rows = try BatchRows(batch, embedding: weights.embedding)
        if logN != nil, let s = rows.sequences.first(where: { $0.position + $0.tokens > LogNAttentionScaling.referencePositionLimit }) {
            throw ContextOverflowError(requested: s.position + s.tokens, capacity: LogNAttentionScaling.referencePositionLimit)
        }
        let rotary = try rows.sequences.map { try rotaryEmbedding(cache: $0.cache, newTokens: $0.tokens) }
        let c = configuration
        let T = rows.count
        let H = c.hiddenSize, D = c.kvChannels, nH = c.numAttentionHeads, F = c.ffnWidth
        let eps = Float(c.layerNormEpsilon)
        let scale = 1 / Float(D).squareRoot()
        let b = Buffers(tokens: T, hidden: H, ffn: F)
        defer { b.deallocate() }

        // 1. Embedding lookup (transformer.wte) of every entry's tokens   x: [T, H]
        weights.embedding.lookup(rows.tokens, into: b.x)

        for (l, layer) in weights.layers.enumerated() {
            // 2. Pre-attention RMSNorm (ln_1)                             h: [T, H]
            VectorOps.rmsNorm(b.x, rows: T, dim: H, weight: layer.ln1.pointer, eps: eps, into: b.h)
            // 3. Fused QKV projection with bias (c_attn), split        qkv: [T, 3H] → q, k, v: [T, H]
            layer.qkv.apply(b.h, rows: T, into: b.qkv)
            for t in 0..<T {
                let row = b.qkv + t * 3 * H
                (b.q + t * H).update(from: row, count: H)
                (b.k + t * H).update(from: row + H, count: H)
                (b.v + t * H).update(from: row + 2 * H, count: H)
            }
            for (s, rope) in zip(rows.sequences, rotary) {
                let q = b.q + s.firstRow * H, k = b.k + s.firstRow * H, v = b.v + s.firstRow * H
                // 4. RoPE on the sequence's q and k at p0 ..< p0+Tₛ (its own frequencies)
                rope.apply(to: q, tokens: s.tokens, heads: nH, headDim: D, firstPosition: s.position)
                rope.apply(to: k, tokens: s.tokens, heads: nH, headDim: D, firstPosition: s.position)
                // 5. LogN scaling of q only, after RoPE                  q[t] *= max(1, ln(p+1)/ln S)
                logN?.apply(to: q, tokens: s.tokens, width: H, firstPosition: s.position)
                // 6. Append k, v to the sequence's cache and read its whole sequence back
                let kv = try s.cache.write(layer: l, keys: k, values: v, tokens: s.tokens)
                // 7. Causal multi-head attention, scale 1/sqrt(D)          a: [Tₛ, H]
                attention.attend(
                    queries: q, tokens: s.tokens, firstPosition: s.position, cache: kv, shape: shape, scale: scale,
                    output: b.attn + s.firstRow * H)
            }
            // 8. Output projection (attn.c_proj), residual               x += a·Wᵀ
            layer.attnOut.apply(b.attn, rows: T, into: b.x, accumulate: true)
            // 9. Pre-MLP RMSNorm (ln_2)                                   h: [T, H]
            VectorOps.rmsNorm(b.x, rows: T, dim: H, weight: layer.ln2.pointer, eps: eps, into: b.h)
            // 10. MLP: w1 is the linear branch, w2 the gate       w1(h) ⊙ silu(w2(h)): [T, F]
            layer.w1.apply(b.h, rows: T, into: b.up)
            layer.w2.apply(b.h, rows: T, into: b.gate)
            VectorOps.swiGLU(gate: b.gate, up: b.up, count: T * F)
            // 11. Down projection (mlp.c_proj), residual                 x += m·Wᵀ
            layer.mlpOut.apply(b.gate, rows: T, into: b.x, accumulate: true)
        }
        rows.commit()

        // 12. Final norm (ln_f) and LM head over each entry's selected rows   logits: [rowsₛ, V]
        return weights.head.logits(b.x, rows: rows, scratch: b.h)
    }
}

// MARK: - Options

extension QwenV1Model {
    /// The context-extension switches; by default they follow `config.json`, and a manifest may
    /// override them.
    public struct Options: Sendable, Equatable {
        /// The RoPE kind: `.dynamicNTK(trainedLength: seq_length)` for `use_dynamic_ntk`, else `.standard`.
        public var rope: RotaryKind
        /// LogN scaling of the queries beyond `seq_length` (`use_logn_attn`).
        public var logNAttention: Bool

        public init(rope: RotaryKind, logNAttention: Bool) {
            self.rope = rope
            self.logNAttention = logNAttention
        }

        /// The config's switches, each replaceable.
        public init(_ configuration: QwenV1Configuration, useDynamicNTK: Bool? = nil, useLogNAttention: Bool? = nil) {
            let ntk = useDynamicNTK ?? configuration.useDynamicNTK
            self.init(
                rope: ntk ? .dynamicNTK(trainedLength: configuration.seqLength) : .standard,
                logNAttention: useLogNAttention ?? configuration.useLogNAttention)
        }
    }
}

// MARK: - Weights

extension QwenV1Model {
    struct Layer {
        let ln1: FloatBuffer
        let qkv, attnOut: Linear
        let ln2: FloatBuffer
        let w1, w2, mlpOut: Linear
    }

    typealias Weights = DecoderWeights<Layer>
}

extension DecoderWeights<QwenV1Model.Layer> {
    init(_ c: QwenV1Configuration, _ checkpoint: any TensorSource, precision: WeightPrecision) throws {
        let H = c.hiddenSize, F = c.ffnWidth
        let bias = !c.noBias
        let read = CheckpointReader(checkpoint, precision: precision)
        try self.init(read, embedding: "transformer.wte.weight", vocabulary: c.vocabSize, hidden: H,
                      layers: c.numHiddenLayers, layer: { i in
            let p = "transformer.h.\(i)"
            return Layer(
                ln1: try read.tensor("\(p).ln_1.weight", [H]),
                qkv: try read.linear("\(p).attn.c_attn", out: 3 * H, in: H, bias: true),
                attnOut: try read.linear("\(p).attn.c_proj", out: H, in: H, bias: bias),
                ln2: try read.tensor("\(p).ln_2.weight", [H]),
                w1: try read.linear("\(p).mlp.w1", out: F, in: H, bias: bias),
                w2: try read.linear("\(p).mlp.w2", out: F, in: H, bias: bias),
                mlpOut: try read.linear("\(p).mlp.c_proj", out: H, in: F, bias: bias))
        }, finalNorm: "transformer.ln_f.weight", eps: c.layerNormEpsilon, tied: c.tieWordEmbeddings,
           unused: { $0.hasSuffix("attn.masked_bias") || $0.hasSuffix("rotary_emb.inv_freq") })
    }
}

extension QwenV1Model {
    /// Scratch activations for one forward call.
    struct Buffers {
        let x, h, qkv, q, k, v, attn, gate, up: UnsafeMutablePointer<Float>
        private let memory: ActivationMemory

        init(tokens T: Int, hidden H: Int, ffn F: Int) {
            var m = ActivationMemory(tokens: T, counts: [T * H, T * H, T * 3 * H, T * H, T * H, T * H, T * H, T * F, T * F])
            x = m.take(T * H)
            h = m.take(T * H)
            qkv = m.take(T * 3 * H)
            q = m.take(T * H)
            k = m.take(T * H)
            v = m.take(T * H)
            attn = m.take(T * H)
            gate = m.take(T * F)
            up = m.take(T * F)
            memory = m
        }

        func deallocate() { memory.release() }
    }
}
