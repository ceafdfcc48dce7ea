// The Qwen2 architecture (`Qwen2ForCausalLM`): Qwen1.5, Qwen2, Qwen2.5, Qwen2.5-Coder and -Math.
// Mirrors transformers' `models/qwen2/modeling_qwen2.py`; tensor names are the checkpoint's.
import Foundation
import ZooAttention
import ZooCore
import ZooKernels

/// A Qwen2-family causal language model computed in fp32.
public final class Qwen2Model: LanguageModel {
    public let configuration: Qwen2Configuration
    public let endOfSequenceIDs: [Int]
    public var vocabularySize: Int { configuration.vocabSize }
    public var contextLength: Int { configuration.maxPositionEmbeddings }

    private let weights: Weights
    private let rope: RotaryEmbedding
    private let attention: any Attention
    private let shape: AttentionShape

    /// Loads the weights of `checkpoint`, checking every tensor's presence and shape.
    public convenience init(
        configuration: Qwen2Configuration, checkpoint: Checkpoint,
        generation: GenerationConfig? = nil, attention: any Attention = CausalAttention(),
        precision: WeightPrecision = .asStored
    ) throws {
        try self.init(
            configuration: configuration, source: CachedQuantizedSource.wrapping(checkpoint, precision: precision),
            generation: generation, attention: attention, precision: precision)
    }

    init(
        configuration: Qwen2Configuration, source checkpoint: any TensorSource,
        generation: GenerationConfig? = nil, attention: any Attention = CausalAttention(),
        precision: WeightPrecision = .asStored
    ) throws {
        self.configuration = configuration
        self.weights = try Weights(configuration, checkpoint, precision: precision)
        // The kinds a Qwen2 config can name (default, linear, YaRN) are static: one RoPE for every sequence.
        self.rope = RotaryEncoding(
            kind: configuration.ropeScaling, rotaryDim: configuration.headDim, base: configuration.ropeTheta
        ).embedding(prefillLength: 0)
        self.attention = attention
        self.shape = AttentionShape(
            queryHeads: configuration.numAttentionHeads, kvHeads: configuration.numKeyValueHeads,
            headDim: configuration.headDim)
        self.endOfSequenceIDs = generation?.eosTokenIDs ?? configuration.eosTokenIDs
    }

    public func makeCache(capacity: Int?) -> any KVCache {
        DenseKVCache(
            layers: configuration.numHiddenLayers, rowWidth: shape.kvHeads * shape.headDim,
            capacity: capacity ?? contextLength, precision: attention.cachePrecision)
    }

    public func forward(_ tokens: [Int], cache: any KVCache, logits selection: LogitsSelection) throws -> Logits {
        try forward(batch: [BatchEntry(tokens: tokens, cache: cache, logits: selection)])[0]!
    }
}

// MARK: - Forward pass

extension Qwen2Model: BatchedLanguageModel {
    /// One step of every entry: all rows together through the linear layers, RoPE and attention per sequence.
    public func forward(batch: [BatchEntry]) throws -> [Logits?] {
        let rows = try BatchRows(batch, embedding: weights.embedding)
        let c = configuration
        let T = rows.count
        let H = c.hiddenSize, D = c.headDim
        let qWidth = c.numAttentionHeads * D, kvWidth = c.numKeyValueHeads * D, I = c.intermediateSize
        let eps = Float(c.rmsNormEps)
        let scale = 1 / Float(D).squareRoot()
        let b = Buffers(tokens: T, hidden: H, qWidth: qWidth, kvWidth: kvWidth, intermediate: I)
        defer { b.deallocate() }

        // 1. Embedding lookup of every entry's tokens, one after another   x: [T, H]
        weights.embedding.lookup(rows.tokens, into: b.x)

        for (l, layer) in weights.layers.enumerated() {
            // 2. Pre-attention RMSNorm                                   h: [T, H]
            VectorOps.rmsNorm(b.x, rows: T, dim: H, weight: layer.inputNorm.pointer, eps: eps, into: b.h)
            // 3. Q, K, V projections with bias (one job)     q: [T, nH·D]  k, v: [T, nKV·D]
            Linear.apply([(layer.q, b.q), (layer.k, b.k), (layer.v, b.v)], to: b.h, rows: T)
            for s in rows.sequences {
                let q = b.q + s.firstRow * qWidth, k = b.k + s.firstRow * kvWidth, v = b.v + s.firstRow * kvWidth
                // 4. RoPE on the sequence's q and k at its positions p0 ..< p0+Tₛ
                rope.apply(to: q, tokens: s.tokens, heads: c.numAttentionHeads, headDim: D, firstPosition: s.position)
                rope.apply(to: k, tokens: s.tokens, heads: c.numKeyValueHeads, headDim: D, firstPosition: s.position)
                // 5. Append k, v to the sequence's cache and read its whole sequence back
                let kv = try s.cache.write(layer: l, keys: k, values: v, tokens: s.tokens)
                // 6. Causal (grouped-query) attention against its own cache   a: [Tₛ, nH·D]
                attention.attend(
                    queries: q, tokens: s.tokens, firstPosition: s.position, cache: kv, shape: shape, scale: scale,
                    output: b.attn + s.firstRow * qWidth)
            }
            // 7. Output projection, residual                            x += a·Woᵀ
            layer.o.apply(b.attn, rows: T, into: b.x, accumulate: true)
            // 8. Pre-MLP RMSNorm                                        h: [T, H]
            VectorOps.rmsNorm(b.x, rows: T, dim: H, weight: layer.postNorm.pointer, eps: eps, into: b.h)
            // 9. SwiGLU MLP                                  silu(h·Wgᵀ) ⊙ (h·Wuᵀ): [T, I]
            Linear.apply([(layer.gate, b.gate), (layer.up, b.up)], to: b.h, rows: T)
            VectorOps.swiGLU(gate: b.gate, up: b.up, count: T * I)
            // 10. Down projection, residual                             x += m·Wdᵀ
            layer.down.apply(b.gate, rows: T, into: b.x, accumulate: true)
        }
        rows.commit()

        // 11. Final norm and LM head over each entry's selected rows     logits: [rowsₛ, V]
        return weights.head.logits(b.x, rows: rows, scratch: b.h)
    }
}

// MARK: - Weights

extension Qwen2Model {
    struct Layer {
        let inputNorm: FloatBuffer
        let q, k, v, o: Linear
        let postNorm: FloatBuffer
        let gate, up, down: Linear
    }

    typealias Weights = DecoderWeights<Layer>
}

extension DecoderWeights<Qwen2Model.Layer> {
    init(_ c: Qwen2Configuration, _ checkpoint: any TensorSource, precision: WeightPrecision) throws {
        let H = c.hiddenSize, I = c.intermediateSize
        let qWidth = c.numAttentionHeads * c.headDim, kvWidth = c.numKeyValueHeads * c.headDim
        let read = CheckpointReader(checkpoint, precision: precision)
        try self.init(read, embedding: "model.embed_tokens.weight", vocabulary: c.vocabSize, hidden: H,
                      layers: c.numHiddenLayers, layer: { i in
            let p = "model.layers.\(i)"
            return Layer(
                inputNorm: try read.tensor("\(p).input_layernorm.weight", [H]),
                q: try read.linear("\(p).self_attn.q_proj", out: qWidth, in: H, bias: true),
                k: try read.linear("\(p).self_attn.k_proj", out: kvWidth, in: H, bias: true),
                v: try read.linear("\(p).self_attn.v_proj", out: kvWidth, in: H, bias: true),
                o: try read.linear("\(p).self_attn.o_proj", out: H, in: qWidth),
                postNorm: try read.tensor("\(p).post_attention_layernorm.weight", [H]),
                gate: try read.linear("\(p).mlp.gate_proj", out: I, in: H),
                up: try read.linear("\(p).mlp.up_proj", out: I, in: H),
                down: try read.linear("\(p).mlp.down_proj", out: H, in: I))
        }, finalNorm: "model.norm.weight", eps: c.rmsNormEps, tied: c.tieWordEmbeddings,
           unused: { $0.hasSuffix("rotary_emb.inv_freq") })
    }
}

extension Qwen2Model {
    /// Scratch activations for one forward call.
    struct Buffers {
        let x, h, q, k, v, attn, gate, up: UnsafeMutablePointer<Float>
        private let memory: ActivationMemory

        init(tokens T: Int, hidden H: Int, qWidth: Int, kvWidth: Int, intermediate I: Int) {
            var m = ActivationMemory(
                tokens: T, counts: [T * H, T * H, T * qWidth, T * kvWidth, T * kvWidth, T * qWidth, T * I, T * I])
            x = m.take(T * H)
            h = m.take(T * H)
            q = m.take(T * qWidth)
            k = m.take(T * kvWidth)
            v = m.take(T * kvWidth)
            attn = m.take(T * qWidth)
            gate = m.take(T * I)
            up = m.take(T * I)
            memory = m
        }

        func deallocate() { memory.release() }
    }
}
