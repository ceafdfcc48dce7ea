import ZooCore

/// Always picks the highest-scoring token; ties go to the lowest id, as `torch.argmax` does.
public struct GreedySampler: TokenSampler {
    public init() {}

    public mutating func next(logits: inout [Float], context: inout SamplingContext) throws -> Int {
        if logits.isEmpty { throw SamplingError.emptyLogits }
        if let bad = logits.firstIndex(where: { !($0 < .infinity) }) {
            throw SamplingError.invalidLogit(token: bad, value: logits[bad])
        }
        return Self.argmax(logits)
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
