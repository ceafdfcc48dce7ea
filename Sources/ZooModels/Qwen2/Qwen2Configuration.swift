import Foundation
import ZooAttention

/// `config.json` of a `Qwen2ForCausalLM` checkpoint (Qwen1.5, Qwen2, Qwen2.5 and their Coder and
/// Math versions), field for field.
///
/// Two layouts exist in the wild: the Qwen2.5 release (top-level `rope_theta`, `torch_dtype`) and
/// the one transformers 5 writes (`rope_parameters: {rope_theta, rope_type}`, `dtype`). Both decode.
public struct Qwen2Configuration: Decodable, Sendable, Equatable {
    public var modelType: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    /// Defaults to `numAttentionHeads` (MHA) when absent.
    public var numKeyValueHeads: Int
    /// Defaults to `hiddenSize / numAttentionHeads` when absent.
    public var headDim: Int
    public var maxPositionEmbeddings: Int
    public var rmsNormEps: Double
    /// The RoPE base, from `rope_theta` or `rope_parameters.rope_theta`.
    public var ropeTheta: Double
    /// `default` unless the config asks for a scaled RoPE (YaRN, linear, dynamic).
    public var ropeType: String
    /// The RoPE kind with its parameters: `.standard`, `.linear` or `.yarn` (others are rejected).
    public var ropeScaling: RotaryKind
    public var tieWordEmbeddings: Bool
    public var hiddenAct: String
    public var bosTokenID: Int?
    public var eosTokenIDs: [Int]
    /// The stored weight dtype, from `torch_dtype` or `dtype` (informational).
    public var dtype: String?
    public var useSlidingWindow: Bool
    public var slidingWindow: Int?
    public var maxWindowLayers: Int?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", numKeyValueHeads = "num_key_value_heads"
        case headDim = "head_dim", maxPositionEmbeddings = "max_position_embeddings"
        case rmsNormEps = "rms_norm_eps", ropeTheta = "rope_theta", ropeParameters = "rope_parameters"
        case ropeScaling = "rope_scaling", tieWordEmbeddings = "tie_word_embeddings"
        case hiddenAct = "hidden_act", bosTokenID = "bos_token_id", eosTokenID = "eos_token_id"
        case torchDtype = "torch_dtype", dtype, useSlidingWindow = "use_sliding_window"
        case slidingWindow = "sliding_window", maxWindowLayers = "max_window_layers"
    }

    /// `rope_parameters` (transformers 5) or `rope_scaling` (older configs).
    struct RopeParameters: Decodable {
        var ropeTheta: Double?
        var ropeType: String?
        var type: String?
        var factor: Double?
        var originalMaxPositionEmbeddings: Int?
        var betaFast: Double?
        var betaSlow: Double?
        var attentionFactor: Double?
        var mscale: Double?
        var mscaleAllDim: Double?
        var truncate: Bool?
        enum CodingKeys: String, CodingKey {
            case ropeTheta = "rope_theta", ropeType = "rope_type", type, factor
            case originalMaxPositionEmbeddings = "original_max_position_embeddings"
            case betaFast = "beta_fast", betaSlow = "beta_slow", attentionFactor = "attention_factor"
            case mscale, mscaleAllDim = "mscale_all_dim", truncate
        }
    }

    public init(from decoder: any Decoder) throws {
        let d = try DecoderDimensions(from: decoder)
        (modelType, vocabSize, hiddenSize, intermediateSize) = (d.modelType, d.vocabSize, d.hiddenSize, d.intermediateSize)
        (numHiddenLayers, numAttentionHeads, tieWordEmbeddings) = (d.numHiddenLayers, d.numAttentionHeads, d.tieWordEmbeddings)
        (bosTokenID, eosTokenIDs) = (d.bosTokenID, d.eosTokenIDs)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads) ?? numAttentionHeads
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 32768
        rmsNormEps = try c.decodeIfPresent(Double.self, forKey: .rmsNormEps) ?? 1e-6
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "silu"
        dtype = try c.decodeIfPresent(String.self, forKey: .dtype)
            ?? c.decodeIfPresent(String.self, forKey: .torchDtype)
        useSlidingWindow = try c.decodeIfPresent(Bool.self, forKey: .useSlidingWindow) ?? false
        slidingWindow = try c.decodeIfPresent(Int.self, forKey: .slidingWindow)
        maxWindowLayers = try c.decodeIfPresent(Int.self, forKey: .maxWindowLayers)

        // As in transformers (`convert_rope_params_to_dict`), `rope_scaling` wins over `rope_parameters`.
        let parameters = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeParameters)
        let scaling = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeScaling)
        let source = scaling ?? parameters
        let sourceField = scaling != nil ? "rope_scaling" : "rope_parameters"
        ropeTheta = try scaling?.ropeTheta ?? parameters?.ropeTheta
            ?? c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 10000
        ropeType = source?.ropeType ?? source?.type ?? "default"
        ropeScaling = try Self.ropeKind(
            ropeType, source, field: sourceField, maxPositionEmbeddings: maxPositionEmbeddings)

        let explicitHeadDim = try c.decodeIfPresent(Int.self, forKey: .headDim)
        guard numAttentionHeads > 0 else {
            throw ConfigError(file: nil, field: "num_attention_heads", message: "must be positive")
        }
        headDim = explicitHeadDim ?? hiddenSize / numAttentionHeads
        try validate(explicitHeadDim: explicitHeadDim != nil)
    }

    /// The RoPE kind named by `rope_type` (or `type`), with transformers' defaults for YaRN:
    /// `original_max_position_embeddings` = `max_position_embeddings`, β_fast 32, β_slow 1, truncation on.
    private static func ropeKind(
        _ type: String, _ p: RopeParameters?, field: String, maxPositionEmbeddings: Int
    ) throws -> RotaryKind {
        func factor(atLeast minimum: Double, inclusive: Bool) throws -> Double {
            guard let factor = p?.factor else {
                throw ConfigError(file: nil, field: "\(field).factor", message: "required for RoPE type \"\(type)\"")
            }
            guard inclusive ? factor >= minimum : factor > minimum else {
                throw ConfigError(file: nil, field: "\(field).factor",
                                  message: "must be \(inclusive ? "at least" : "greater than") \(minimum), found \(factor)")
            }
            return factor
        }
        switch type {
        case "default":
            return .standard
        case "linear":
            return .linear(factor: try factor(atLeast: 0, inclusive: false))
        case "yarn":
            let yarn = YaRNParameters(
                factor: try factor(atLeast: 1, inclusive: true),
                originalContextLength: p?.originalMaxPositionEmbeddings ?? maxPositionEmbeddings,
                betaFast: p?.betaFast ?? 32, betaSlow: p?.betaSlow ?? 1, attentionFactor: p?.attentionFactor,
                mscale: p?.mscale, mscaleAllDim: p?.mscaleAllDim, truncate: p?.truncate ?? true)
            guard yarn.originalContextLength > 0 else {
                throw ConfigError(file: nil, field: "\(field).original_max_position_embeddings", message: "must be positive")
            }
            return .yarn(yarn)
        default:
            throw ConfigError(
                file: nil, field: field,
                message: "RoPE type \"\(type)\" is not supported (supported: default, linear, yarn)")
        }
    }

    private func validate(explicitHeadDim: Bool) throws {
        let fail = ConfigError.field
        try ConfigError.requirePositive([
            "vocab_size": vocabSize, "hidden_size": hiddenSize, "intermediate_size": intermediateSize,
            "num_hidden_layers": numHiddenLayers, "num_key_value_heads": numKeyValueHeads,
            "head_dim": headDim, "max_position_embeddings": maxPositionEmbeddings,
        ])
        if !explicitHeadDim, hiddenSize % numAttentionHeads != 0 {
            throw fail("hidden_size", "\(hiddenSize) is not divisible by num_attention_heads (\(numAttentionHeads))")
        }
        if numAttentionHeads % numKeyValueHeads != 0 {
            throw fail("num_key_value_heads",
                       "num_attention_heads (\(numAttentionHeads)) must be a multiple of it (\(numKeyValueHeads))")
        }
        if headDim % 2 != 0 { throw fail("head_dim", "must be even for RoPE, found \(headDim)") }
        if hiddenAct != "silu" { throw fail("hidden_act", "only \"silu\" is supported, found \"\(hiddenAct)\"") }
        if !(rmsNormEps > 0) { throw fail("rms_norm_eps", "must be positive") }
        if useSlidingWindow {
            throw fail("use_sliding_window", "sliding-window attention is not supported yet")
        }
    }
}
