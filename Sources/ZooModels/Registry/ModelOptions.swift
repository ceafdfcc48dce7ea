import ZooAttention
import ZooCore

/// Choices a manifest makes about a model beyond what its `config.json` says.
public struct ModelOptions: Sendable {
    /// The attention kind every layer uses.
    public var attention: any Attention
    /// Overrides the context length (`max_position_embeddings` / `seq_length`).
    public var contextLength: Int?
    /// Overrides `rope_scaling` (`{type: yarn, factor: 4.0, …}`).
    public var ropeScaling: [String: OptionValue]?
    /// Overrides Qwen v1's `use_dynamic_ntk` and `use_logn_attn`.
    public var useDynamicNTK: Bool?
    public var useLogNAttention: Bool?
    /// How the weight matrices are kept: as stored, widened to fp32, or quantized to q8_0.
    public var weightPrecision: WeightPrecision
    /// Whether f32 and 16-bit matrices are read in place from the memory-mapped file (the default:
    /// instant load, pages shared with the page cache). `false` copies them into huge-page memory
    /// at load, in ``FourRowLayout`` (llama.cpp's `--no-mmap`; a shape that does not fit stays mapped): faster decoding
    /// on a bandwidth-bound CPU (fewer TLB misses, activations kept in L1) and faster prompts, for a
    /// copy at load. Same logits bit for bit. Quantized and repacked matrices are copies either way.
    public var mapWeights: Bool

    public init(attention: any Attention = CausalAttention(), contextLength: Int? = nil,
                ropeScaling: [String: OptionValue]? = nil, useDynamicNTK: Bool? = nil, useLogNAttention: Bool? = nil,
                weightPrecision: WeightPrecision = .asStored, mapWeights: Bool = true) {
        self.weightPrecision = weightPrecision
        self.mapWeights = mapWeights
        self.attention = attention
        self.contextLength = contextLength
        self.ropeScaling = ropeScaling
        self.useDynamicNTK = useDynamicNTK
        self.useLogNAttention = useLogNAttention
    }
}
