import Foundation

/// Rotary position embedding in the half-split ("NeoX") layout that Qwen v1 and Qwen2 use.
///
/// Dimension `i < d/2` of a head pairs with `i + d/2` and both rotate by `position · invFreq[i]`.
/// Only the first `rotaryDim` dimensions of a head rotate; the rest pass through.
public struct RotaryEmbedding: Sendable, Equatable {
    /// `1 / base^(2i/d)` for `i` in `0..<rotaryDim/2`, in fp32 as the references compute them.
    public let inverseFrequencies: [Float]
    /// How many leading dimensions of each head rotate.
    public let rotaryDim: Int
    /// A factor applied to both cos and sin (YaRN's attention factor; 1 otherwise).
    public let attentionFactor: Float

    public init(inverseFrequencies: [Float], attentionFactor: Float = 1) {
        self.inverseFrequencies = inverseFrequencies
        self.rotaryDim = inverseFrequencies.count * 2
        self.attentionFactor = attentionFactor
    }

    /// The standard RoPE of `rotaryDim` dimensions with the given base (`rope_theta`).
    public init(rotaryDim: Int, base: Double) {
        self.init(inverseFrequencies: Self.inverseFrequencies(rotaryDim: rotaryDim, base: base))
    }

    /// `1 / base^(2i/d)` in fp32, rounded step by step as PyTorch computes
    /// `1.0 / (base ** (torch.arange(0, d, 2).float() / d))`.
    public static func inverseFrequencies(rotaryDim d: Int, base: Double) -> [Float] {
        (0..<(d / 2)).map { i in 1 / power(base, Float(2 * i) / Float(d)) }
    }

    /// `base ** exponent` as PyTorch computes a Python float to the power of an fp32 tensor: the
    /// base is rounded to fp32, the power rounded to fp32 (within the last bit of PyTorch's result).
    public static func power(_ base: Double, _ exponent: Float) -> Float {
        Float(pow(Double(Float(base)), Double(exponent)))
    }

    /// Rotates `x[tokens, heads * headDim]` in place; token `t` sits at `firstPosition + t`.
    public func apply(
        to x: UnsafeMutablePointer<Float>, tokens: Int, heads: Int, headDim: Int, firstPosition: Int
    ) {
        let half = rotaryDim / 2
        var cosTable = [Float](repeating: 0, count: half)
        var sinTable = [Float](repeating: 0, count: half)
        for t in 0..<tokens {
            let position = Float(firstPosition + t)
            for i in 0..<half {
                // The angle is an fp32 product, as in the references, before cos/sin.
                let angle = Double(position * inverseFrequencies[i])
                cosTable[i] = Float(cos(angle)) * attentionFactor
                sinTable[i] = Float(sin(angle)) * attentionFactor
            }
            for h in 0..<heads {
                let v = x + (t * heads + h) * headDim
                for i in 0..<half {
                    let a = v[i]
                    let b = v[i + half]
                    v[i] = a * cosTable[i] - b * sinTable[i]
                    v[i + half] = b * cosTable[i] + a * sinTable[i]
                }
            }
        }
    }
}
