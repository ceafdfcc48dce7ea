import Foundation
import ZooCore

/// XTC, "exclude top choices" (llama.cpp `llama_sampler_xtc`, from text-generation-webui PR
/// #6335): with chance `probability` (one uniform draw from the request's generator per step),
/// every token whose probability is ≥ `threshold` is removed except the least probable of them,
/// provided at least `min_keep` candidates remain. `threshold > 0.5` can never remove anything
/// and disables the stage (no draw), as does `probability = 0` or a single candidate.
public struct XTC: SamplerStage {
    public let name = "xtc"
    public let probability: Double
    public let threshold: Double
    public let minKeep: Int

    public init(probability: Double, threshold: Double = 0.1, minKeep: Int = 1) throws {
        try require(probability >= 0 && probability <= 1, "xtc.probability", "must be in [0, 1], found \(show(probability))")
        try require(threshold >= 0 && threshold <= 1, "xtc.threshold", "must be in [0, 1], found \(show(threshold))")
        try require(minKeep >= 1, "xtc.min_keep", "must be ≥ 1, found \(minKeep)")
        self.probability = probability
        self.threshold = threshold
        self.minKeep = minKeep
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard probability > 0, threshold <= 0.5, candidates.count >= 2 else { return }
        if context.random.nextDouble() >= probability { return }
        let top = candidates.maxLogit()
        let z = partition(candidates, max: top)
        // The last index whose probability is ≥ threshold, sorting only as far as needed.
        var m = min(candidates.count, 16)
        var last = 0
        var scanned = 0
        var done = false
        while !done {
            candidates.sortPrefix(m)
            while scanned < m {
                let p = Double(Foundation.exp(candidates[scanned].logit - top)) / z
                if p >= threshold {
                    last = scanned
                    scanned += 1
                } else {
                    done = true
                    break
                }
            }
            if m == candidates.count { break }
            m = min(candidates.count, m * 8)
        }
        if candidates.count - last >= minKeep && last > 0 {
            candidates.removeFirst(last)
        }
    }
}
