/// The kinds of rotary position embedding the Qwen family uses, with their parameters.
///
/// A kind says how the plain RoPE frequencies `1 / base^(2i/d)` are changed to reach a longer context.
/// ``RotaryEncoding`` turns a kind into the ``RotaryEmbedding`` a sequence uses.
public enum RotaryKind: Sendable, Equatable {
    /// Plain RoPE (`rope_type: default`).
    case standard
    /// Position interpolation: every frequency divided by `factor` (`rope_type: linear`).
    case linear(factor: Double)
    /// YaRN (`rope_type: yarn`), static: the same frequencies for every sequence, as transformers
    /// and vLLM apply it.
    case yarn(YaRNParameters)
    /// Qwen v1's dynamic NTK-aware interpolation (`use_dynamic_ntk`): the base grows with the
    /// prompt length relative to `trainedLength` (`seq_length`), chosen once per sequence at prefill.
    case dynamicNTK(trainedLength: Int)

    /// The names manifests and configs use: `default`, `linear`, `yarn`, `dynamic-ntk`.
    public var name: String {
        switch self {
        case .standard: "default"
        case .linear: "linear"
        case .yarn: "yarn"
        case .dynamicNTK: "dynamic-ntk"
        }
    }

    /// Whether the frequencies depend on the sequence (its prefill length).
    public var isDynamic: Bool {
        if case .dynamicNTK = self { return true }
        return false
    }
}

/// The parameters of YaRN, named as in transformers' `rope_scaling` / `rope_parameters`.
public struct YaRNParameters: Sendable, Equatable {
    /// `factor`: how much longer the target context is than the original one.
    public var factor: Double
    /// `original_max_position_embeddings`: the context the model was trained on.
    public var originalContextLength: Int
    /// `beta_fast` (32) and `beta_slow` (1): the rotation counts bounding the interpolation ramp.
    public var betaFast: Double
    public var betaSlow: Double
    /// `attention_factor`: the factor on cos and sin; derived from `factor` (and `mscale`s) when nil.
    public var attentionFactor: Double?
    /// `mscale` and `mscale_all_dim` (DeepSeek style); used only when both are set and non-zero.
    public var mscale: Double?
    public var mscaleAllDim: Double?
    /// `truncate`: round the ramp bounds to whole dimensions (transformers' default).
    public var truncate: Bool

    public init(
        factor: Double, originalContextLength: Int, betaFast: Double = 32, betaSlow: Double = 1,
        attentionFactor: Double? = nil, mscale: Double? = nil, mscaleAllDim: Double? = nil, truncate: Bool = true
    ) {
        self.factor = factor
        self.originalContextLength = originalContextLength
        self.betaFast = betaFast
        self.betaSlow = betaSlow
        self.attentionFactor = attentionFactor
        self.mscale = mscale
        self.mscaleAllDim = mscaleAllDim
        self.truncate = truncate
    }
}
