import Foundation

/// `config.json` of a Qwen v1 checkpoint (`QWenLMHeadModel`, `model_type: qwen`: Qwen-1.8B, 7B,
/// 14B and their Chat versions), field for field as Qwen's `configuration_qwen.py` reads it.
///
/// Defaults are `QWenConfig`'s. Fields a CPU engine ignores (`use_flash_attn`, `bf16`/`fp16`/`fp32`,
/// `use_cache_quantization`, `softmax_in_fp32`, dropouts, `scale_attn_weights`) are not decoded.
public struct QwenV1Configuration: Decodable, Sendable, Equatable {
    public var modelType: String
    /// Embedding rows (151936 or 152064; the tokenizer defines fewer ids).
    public var vocabSize: Int
    public var hiddenSize: Int
    /// As written in the config: twice the real FFN width (see ``ffnWidth``).
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    /// `kv_channels`: the head size.
    public var kvChannels: Int
    public var layerNormEpsilon: Double
    /// `rotary_pct`: the fraction of each head that rotates.
    public var rotaryPct: Double
    /// `rotary_emb_base`: the RoPE base before NTK scaling.
    public var rotaryEmbBase: Double
    /// `seq_length`: the trained context S, the threshold of dynamic NTK and LogN scaling.
    public var seqLength: Int
    /// `max_position_embeddings`: not read by the reference modeling code; informational.
    public var maxPositionEmbeddings: Int
    public var useDynamicNTK: Bool
    public var useLogNAttention: Bool
    /// `no_bias`: when false, `attn.c_proj` and the MLP projections have biases too.
    public var noBias: Bool
    public var tieWordEmbeddings: Bool
    public var bosTokenID: Int?
    public var eosTokenIDs: [Int]
    /// The stored weight dtype (`torch_dtype`; informational).
    public var dtype: String?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", kvChannels = "kv_channels"
        case layerNormEpsilon = "layer_norm_epsilon", rotaryPct = "rotary_pct", rotaryEmbBase = "rotary_emb_base"
        case seqLength = "seq_length", maxPositionEmbeddings = "max_position_embeddings"
        case useDynamicNTK = "use_dynamic_ntk", useLogNAttention = "use_logn_attn", noBias = "no_bias"
        case tieWordEmbeddings = "tie_word_embeddings", bosTokenID = "bos_token_id", eosTokenID = "eos_token_id"
        case torchDtype = "torch_dtype"
    }

    /// The real FFN width: `w1`/`w2` have `intermediate_size / 2` rows.
    public var ffnWidth: Int { intermediateSize / 2 }
    /// The rotating dimensions per head: `kv_channels · rotary_pct`.
    public var rotaryDim: Int { Int(Double(kvChannels) * rotaryPct) }

    public init(from decoder: any Decoder) throws {
        let d = try DecoderDimensions(from: decoder)
        (modelType, vocabSize, hiddenSize, intermediateSize) = (d.modelType, d.vocabSize, d.hiddenSize, d.intermediateSize)
        (numHiddenLayers, numAttentionHeads, tieWordEmbeddings) = (d.numHiddenLayers, d.numAttentionHeads, d.tieWordEmbeddings)
        (bosTokenID, eosTokenIDs) = (d.bosTokenID, d.eosTokenIDs)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kvChannels = try c.decodeIfPresent(Int.self, forKey: .kvChannels) ?? 128
        layerNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-6
        rotaryPct = try c.decodeIfPresent(Double.self, forKey: .rotaryPct) ?? 1.0
        rotaryEmbBase = try c.decodeIfPresent(Double.self, forKey: .rotaryEmbBase) ?? 10000
        // The reference reads `config.seq_length` unconditionally; QWenConfig has no default.
        seqLength = try c.decode(Int.self, forKey: .seqLength)
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 8192
        useDynamicNTK = try c.decodeIfPresent(Bool.self, forKey: .useDynamicNTK) ?? true
        useLogNAttention = try c.decodeIfPresent(Bool.self, forKey: .useLogNAttention) ?? true
        noBias = try c.decodeIfPresent(Bool.self, forKey: .noBias) ?? true
        dtype = try c.decodeIfPresent(String.self, forKey: .torchDtype)
        try validate()
    }

    private func validate() throws {
        let fail = ConfigError.field
        try ConfigError.requirePositive([
            "vocab_size": vocabSize, "hidden_size": hiddenSize, "intermediate_size": intermediateSize,
            "num_hidden_layers": numHiddenLayers, "num_attention_heads": numAttentionHeads,
            "kv_channels": kvChannels, "seq_length": seqLength, "max_position_embeddings": maxPositionEmbeddings,
        ])
        if intermediateSize % 2 != 0 {
            throw fail("intermediate_size", "must be even (the FFN width is half of it), found \(intermediateSize)")
        }
        // The reference splits the fused QKV output at `hidden_size` and builds c_proj as
        // Linear(hidden_size, kv_channels · heads): both only work when the two are equal.
        if kvChannels * numAttentionHeads != hiddenSize {
            throw fail("kv_channels",
                       "\(kvChannels) × num_attention_heads (\(numAttentionHeads)) must equal hidden_size (\(hiddenSize))")
        }
        if !(rotaryPct > 0 && rotaryPct <= 1) { throw fail("rotary_pct", "must be in (0, 1], found \(rotaryPct)") }
        if rotaryDim < 2 || rotaryDim % 2 != 0 {
            throw fail("rotary_pct", "kv_channels × rotary_pct = \(rotaryDim) rotary dimensions; must be even and positive")
        }
        if !(rotaryEmbBase > 1) { throw fail("rotary_emb_base", "must be greater than 1, found \(rotaryEmbBase)") }
        if !(layerNormEpsilon > 0) { throw fail("layer_norm_epsilon", "must be positive") }
    }
}
