import ZooCore

// Greedy decoding has one path: the empty ``SamplerChain`` (``SamplerChain/greedy``), which
// validates the logits and picks the best candidate; the `greedy` stage ends a longer chain the
// same way (e.g. after a repetition penalty). ``Greedy/argmax(_:)`` is the same rule on a bare row,
// for code that holds no chain (benchmarks, tests).

extension SamplerChain {
    /// The empty chain: greedy decoding (argmax, ties to the lowest id), as ``greedy``.
    public init() {
        self.init(validated: [])
    }

    /// Greedy decoding.
    public static var greedy: SamplerChain { SamplerChain() }

    @available(*, deprecated, renamed: "Greedy.argmax")
    public static func argmax(_ values: some Collection<Float>) -> Int { Greedy.argmax(values) }
}

extension Greedy {
    /// The index of the first maximum of `values`; NaN never wins (the chain rejects NaN logits).
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

/// Greedy decoding was a sampler of its own; it is the empty chain.
@available(*, deprecated, renamed: "SamplerChain", message: "greedy decoding is the empty SamplerChain (SamplerChain.greedy)")
public typealias GreedySampler = SamplerChain
