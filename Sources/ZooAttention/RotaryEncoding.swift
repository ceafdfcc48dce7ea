import Foundation

/// A model's rotary position encoding as a component: the kind, how many dimensions of a head
/// rotate, and the base (`rope_theta`, `rotary_emb_base`).
///
/// It yields the ``RotaryEmbedding`` (inverse frequencies and attention factor) that one sequence
/// uses. Static kinds give the same embedding for every sequence and ignore the length; dynamic
/// NTK depends on the prefill length, so a model asks once per sequence, at prefill, and keeps the
/// answer with the sequence (``RotaryKVCache``) — never in the model, which sessions share.
public struct RotaryEncoding: Sendable, Equatable {
    public let kind: RotaryKind
    /// The rotating dimensions per head (even; the rest of the head passes through).
    public let rotaryDim: Int
    /// The unscaled base.
    public let base: Double

    public init(kind: RotaryKind = .standard, rotaryDim: Int, base: Double) {
        precondition(rotaryDim > 0 && rotaryDim % 2 == 0, "the rotary dimension must be even and positive")
        self.kind = kind
        self.rotaryDim = rotaryDim
        self.base = base
    }

    /// The embedding shared by every sequence, or nil when the kind depends on the sequence.
    public var staticEmbedding: RotaryEmbedding? {
        kind.isDynamic ? nil : embedding(prefillLength: 0)
    }

    /// The embedding of a sequence whose first forward call (prefill) holds `prefillLength` tokens.
    public func embedding(prefillLength: Int) -> RotaryEmbedding {
        switch kind {
        case .standard:
            return RotaryEmbedding(rotaryDim: rotaryDim, base: base)
        case .linear(let factor):
            // transformers: `inv_freq /= factor`, in fp32.
            let plain = RotaryEmbedding.inverseFrequencies(rotaryDim: rotaryDim, base: base)
            return RotaryEmbedding(inverseFrequencies: plain.map { $0 / Float(factor) })
        case .yarn(let parameters):
            return RotaryEmbedding(
                inverseFrequencies: Self.yarnInverseFrequencies(rotaryDim: rotaryDim, base: base, parameters),
                attentionFactor: Float(Self.yarnAttentionFactor(parameters)))
        case .dynamicNTK(let trainedLength):
            let alpha = Self.ntkAlpha(prefillLength: prefillLength, trainedLength: trainedLength)
            return RotaryEmbedding(rotaryDim: rotaryDim, base: Self.ntkBase(base, alpha: alpha, rotaryDim: rotaryDim))
        }
    }

    // MARK: Dynamic NTK (Qwen v1 `modeling_qwen.py`: `get_ntk_alpha`, `update_rotary_pos_emb_cache`)

    /// `alpha = max(2^ceil(log2(L/S) + 1) − 1, 1)`: 1 up to `S`, 3 up to `2S`, 7 up to `4S`, …
    ///
    /// `log2` is computed as `ln(x)/ln(2)`, exactly as Python's `math.log(x, 2)` in the reference,
    /// so the boundaries fall where the reference puts them.
    public static func ntkAlpha(prefillLength L: Int, trainedLength S: Int) -> Double {
        precondition(S > 0, "seq_length must be positive")
        let contextValue = Foundation.log(Double(L) / Double(S)) / Foundation.log(2.0) + 1
        return max(pow(2, contextValue.rounded(.up)) - 1, 1)
    }

    /// `base · alpha^(d/(d−2))`, the NTK-scaled base (d = rotary dimension).
    public static func ntkBase(_ base: Double, alpha: Double, rotaryDim d: Int) -> Double {
        base * pow(alpha, Double(d) / Double(d - 2))
    }

    // MARK: YaRN (transformers `modeling_rope_utils._compute_yarn_parameters`)

    /// The scale on cos and sin: `attention_factor` if given, else `0.1·ln(s) + 1` (1 for s ≤ 1), or
    /// with both `mscale`s the ratio `(0.1·m·ln s + 1) / (0.1·m_all·ln s + 1)`.
    public static func yarnAttentionFactor(_ p: YaRNParameters) -> Double {
        if let explicit = p.attentionFactor { return explicit }
        func mscale(_ m: Double) -> Double { p.factor <= 1 ? 1 : 0.1 * m * Foundation.log(p.factor) + 1 }
        if let m = p.mscale, let all = p.mscaleAllDim, m != 0, all != 0 {
            return mscale(m) / mscale(all)
        }
        return mscale(1)
    }

    /// The dimension range `[low, high]` over which YaRN ramps from extrapolation to interpolation:
    /// `corr(r) = d·ln(L0/(2πr)) / (2·ln b)`, `low = max(floor(corr(β_fast)), 0)`,
    /// `high = min(ceil(corr(β_slow)), d − 1)` (no rounding when `truncate` is false).
    public static func yarnCorrectionRange(
        rotaryDim d: Int, base: Double, _ p: YaRNParameters
    ) -> (low: Double, high: Double) {
        func correctionDim(_ rotations: Double) -> Double {
            Double(d) * Foundation.log(Double(p.originalContextLength) / (rotations * 2 * Double.pi))
                / (2 * Foundation.log(base))
        }
        var low = correctionDim(p.betaFast), high = correctionDim(p.betaSlow)
        if p.truncate {
            low = low.rounded(.down)
            high = high.rounded(.up)
        }
        return (max(low, 0), min(high, Double(d - 1)))
    }

    /// `inv_freq_j = (1/(s·b^(2j/d)))·(1 − w_j) + (1/b^(2j/d))·w_j` with the extrapolation weight
    /// `w_j = 1 − clamp((j − low)/(high − low), 0, 1)`; fp32 arithmetic as in transformers.
    public static func yarnInverseFrequencies(rotaryDim d: Int, base: Double, _ p: YaRNParameters) -> [Float] {
        var (low, high) = yarnCorrectionRange(rotaryDim: d, base: base, p)
        if low == high { high += 0.001 }  // transformers: "prevent singularity"
        let span = Float(high - low)
        let factor = Float(p.factor)
        return (0..<(d / 2)).map { j in
            let positionFrequency = RotaryEmbedding.power(base, Float(2 * j) / Float(d))
            let extrapolation = 1 / positionFrequency
            let interpolation = 1 / (factor * positionFrequency)
            let ramp = min(max((Float(j) - Float(low)) / span, 0), 1)
            let extrapolationWeight = 1 - ramp
            return interpolation * (1 - extrapolationWeight) + extrapolation * extrapolationWeight
        }
    }
}
