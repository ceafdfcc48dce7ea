import Foundation

/// Qwen v1's LogN attention scaling (`use_logn_attn`): the query at position `p` is multiplied by
/// `max(1, ln(p+1) / ln(S))`, S = `seq_length`, after RoPE (keys and values are left alone).
///
/// The reference applies it when the key length exceeds S; since the factor is 1 for every
/// position below S, applying it at every position is the same. It reads the factors from a
/// buffer of ``referencePositionLimit`` entries and fails beyond it, so this implementation does
/// not extrapolate either: ``QwenV1Model`` reports a context overflow for later positions.
public struct LogNAttentionScaling: Sendable, Equatable {
    /// The size of the reference's `logn_tensor` (`range(1, 32768)`): positions `0..<32767`.
    public static let referencePositionLimit = 32767

    /// S, the trained context (`seq_length`); at least 2.
    public let trainedLength: Int

    public init(trainedLength: Int) {
        precondition(trainedLength >= 2, "LogN scaling needs seq_length ≥ 2")
        self.trainedLength = trainedLength
    }

    /// `ln(p+1)/ln(S)` for `p + 1 > S`, else 1; in double as Python's `math.log(i, S)`, then fp32.
    public func factor(position p: Int) -> Float {
        guard p + 1 > trainedLength else { return 1 }
        return Float(Foundation.log(Double(p + 1)) / Foundation.log(Double(trainedLength)))
    }

    /// Scales query rows `q[tokens, width]` in place; row `t` sits at `firstPosition + t`.
    public func apply(to q: UnsafeMutablePointer<Float>, tokens: Int, width: Int, firstPosition: Int) {
        for t in 0..<tokens {
            let f = factor(position: firstPosition + t)
            if f == 1 { continue }
            let row = q + t * width
            for i in 0..<width { row[i] *= f }
        }
    }
}
