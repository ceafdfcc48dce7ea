import ZooCore

/// Always picks the highest-scoring token; ties go to the lowest id, as `torch.argmax` does.
///
/// It is the empty ``SamplerChain`` (``SamplerChain/greedy``) behind the ``TokenSampler`` name, so
/// that greedy decoding validates the logits and picks the token one way everywhere.
public struct GreedySampler: TokenSampler {
    private var chain = SamplerChain.greedy

    public init() {}

    public mutating func next(logits: inout [Float], context: inout SamplingContext) throws -> Int {
        try chain.next(logits: &logits, context: &context)
    }

    /// The index of the first maximum; NaN never wins.
    public static func argmax(_ values: some Collection<Float>) -> Int {
        var best = 0
        var bestValue = -Float.infinity
        for (i, v) in values.enumerated() where v > bestValue {
            best = i
            bestValue = v
        }
        return best
    }
}
