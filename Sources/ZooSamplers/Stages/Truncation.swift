import Foundation
import ZooCore

/// Keeps the `k` highest logits (HF `TopKLogitsWarper`, llama.cpp `top_k`). `k = 0` disables the
/// stage (HF and Qwen's `generation_config.json` convention); `k` larger than the candidate set
/// keeps everything. Ties at the boundary go to the lower id, so exactly `k` survive (HF keeps
/// every token tied with the k-th). Uses a heap over the row, never a full sort.
public struct TopK: SamplerStage {
    public let name = "top_k"
    public let k: Int

    public init(_ k: Int) throws {
        try require(k >= 0, "top_k", "must be ≥ 0 (0 disables), found \(k)")
        self.k = k
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        if k > 0 { candidates.keepBest(k) }
    }
}

/// The normalizer of the candidates' softmax relative to `max`: `Σ exp(logit − max)`.
func partition(_ candidates: SamplerCandidates, max m: Float) -> Double {
    var z = 0.0
    candidates.forEachLogit { _, l in z += Double(Foundation.exp(l - m)) }
    return z
}

/// Nucleus sampling (Holtzman et al. 2019) as HF's `TopPLogitsWarper`: sort by probability,
/// keep the smallest prefix whose mass reaches `p` (a token is kept when the mass of the tokens
/// ranked above it is < `p`), and at least `min_keep` tokens. `p = 1` keeps everything. Sorts only
/// as far as needed (64, 512, 4096… candidates).
public struct TopP: SamplerStage {
    public let name = "top_p"
    public let p: Double
    public let minKeep: Int

    public init(_ p: Double, minKeep: Int = 1) throws {
        try require(p > 0 && p <= 1, "top_p", "must be in (0, 1], found \(show(p))")
        try require(minKeep >= 1, "top_p.min_keep", "must be ≥ 1, found \(minKeep)")
        self.p = p
        self.minKeep = minKeep
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard p < 1 else { return }
        let top = candidates.maxLogit()
        let z = partition(candidates, max: top)
        var m = min(candidates.count, 64)
        var cumulative = 0.0
        var scanned = 0
        while true {
            candidates.sortPrefix(m)
            while scanned < m {
                if cumulative >= p { break }
                cumulative += Double(Foundation.exp(candidates[scanned].logit - top)) / z
                scanned += 1
            }
            if cumulative >= p || m == candidates.count { break }
            m = min(candidates.count, m * 8)
        }
        let keep = max(scanned, minKeep)
        candidates.sortPrefix(keep)
        candidates.truncate(to: keep)
    }
}

/// Min-p (Nguyen et al. 2024) as HF's `MinPLogitsWarper`: removes tokens whose probability is
/// below `p × (the top probability)`, keeping at least `min_keep`. Computed in logit space
/// (`logit − max < ln p`), so no softmax over the vocabulary is needed. `p = 0` disables.
public struct MinP: SamplerStage {
    public let name = "min_p"
    public let p: Double
    public let minKeep: Int

    public init(_ p: Double, minKeep: Int = 1) throws {
        try require(p >= 0 && p <= 1, "min_p", "must be in [0, 1], found \(show(p))")
        try require(minKeep >= 1, "min_p.min_keep", "must be ≥ 1, found \(minKeep)")
        self.p = p
        self.minKeep = minKeep
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard p > 0 else { return }
        let top = Double(candidates.maxLogit())
        let logP = Foundation.log(p)
        if minKeep <= 1 {
            // logit − max < ln p, as a Float threshold rounded so that the comparison agrees.
            var threshold = Float(top + logP)
            while Double(threshold) - top < logP { threshold = threshold.nextUp }
            while Double(threshold.nextDown) - top >= logP { threshold = threshold.nextDown }
            candidates.removeAll(below: threshold)
            return
        }
        candidates.sortPrefix(minKeep)
        let keep = minKeep
        candidates.removeAll { c, i in i >= keep && Double(c.logit) - top < logP }
    }
}

/// Keeps the best `min_keep` and every token whose probability is at least `threshold`: the rule
/// shared by the epsilon and eta cutoffs (HF keeps logits ≥ the `min_keep`-th largest).
func cut(_ candidates: inout SamplerCandidates, below threshold: Double, minKeep: Int) {
    let top = candidates.maxLogit()
    let z = partition(candidates, max: top)
    candidates.sortPrefix(minKeep)
    let kth = candidates[min(minKeep, candidates.count) - 1].logit
    candidates.removeAll { c, _ in
        c.logit < kth && Double(Foundation.exp(c.logit - top)) / z < threshold
    }
}

/// Truncation by probability (Hewitt et al. 2022), as HF's `EpsilonLogitsWarper` and
/// `EtaLogitsWarper`: removes tokens whose probability is below the threshold `Rule` derives from
/// ε, keeping the best `min_keep`.
public struct ProbabilityCutoff<Rule: ProbabilityCutoffRule>: SamplerStage {
    public var name: String { Rule.name }
    public let epsilon: Double
    public let minKeep: Int

    public init(_ epsilon: Double, minKeep: Int = 1) throws {
        try require(epsilon > 0 && epsilon < 1, Rule.name, "must be in (0, 1), found \(show(epsilon))")
        try require(minKeep >= 1, "\(Rule.name).min_keep", "must be ≥ 1, found \(minKeep)")
        self.epsilon = epsilon
        self.minKeep = minKeep
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        let threshold = Rule.threshold(epsilon, &candidates)
        cut(&candidates, below: threshold, minKeep: minKeep)
    }
}

/// The probability below which a ``ProbabilityCutoff`` removes tokens.
public protocol ProbabilityCutoffRule: Sendable {
    /// The stage's registry name.
    static var name: String { get }
    /// The threshold for `epsilon` on these candidates.
    static func threshold(_ epsilon: Double, _ candidates: inout SamplerCandidates) -> Double
}

/// Epsilon sampling: removes tokens with probability < ε.
public typealias EpsilonCutoff = ProbabilityCutoff<EpsilonRule>

/// Eta sampling: removes tokens with probability < η = min(ε, √ε · exp(−H)), H the entropy (nats)
/// of the candidates' softmax.
public typealias EtaCutoff = ProbabilityCutoff<EtaRule>

/// ``EpsilonCutoff``'s rule.
public enum EpsilonRule: ProbabilityCutoffRule {
    public static let name = "epsilon_cutoff"
    public static func threshold(_ epsilon: Double, _ candidates: inout SamplerCandidates) -> Double { epsilon }
}

/// ``EtaCutoff``'s rule.
public enum EtaRule: ProbabilityCutoffRule {
    public static let name = "eta_cutoff"
    public static func threshold(_ epsilon: Double, _ candidates: inout SamplerCandidates) -> Double {
        min(epsilon, epsilon.squareRoot() * Foundation.exp(-candidates.entropy()))
    }
}

/// Locally typical sampling (Meister et al. 2022) as HF's `TypicalLogitsWarper`: rank tokens by
/// |−log p − H|, keep them in that order until the cumulative probability reaches `mass` (the
/// token that crosses it included, ties with it too), and at least `min_keep`. `mass = 1`
/// disables (llama.cpp's convention; HF rejects 1). Sorts every candidate: place it after a
/// cutoff for speed.
public struct TypicalP: SamplerStage {
    public let name = "typical_p"
    public let mass: Double
    public let minKeep: Int
    private var shifted: [Double] = []
    private var order: [Int32] = []

    public init(_ mass: Double, minKeep: Int = 1) throws {
        try require(mass > 0 && mass <= 1, "typical_p", "must be in (0, 1], found \(show(mass))")
        try require(minKeep >= 1, "typical_p.min_keep", "must be ≥ 1, found \(minKeep)")
        self.mass = mass
        self.minKeep = minKeep
    }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard mass < 1 else { return }
        let n = candidates.count
        let top = candidates.maxLogit()
        let logZ = Foundation.log(partition(candidates, max: top))
        var entropy = 0.0
        shifted.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        candidates.forEachLogit { _, l in
            let logp = Double(l - top) - logZ
            if l > -.infinity { entropy -= Foundation.exp(logp) * logp }
            shifted.append(logp)
        }
        for i in 0..<n {
            shifted[i] = abs(-shifted[i] - entropy)
            order.append(Int32(i))
        }
        let s = shifted
        order.sort { s[Int($0)] < s[Int($1)] || (s[Int($0)] == s[Int($1)] && $0 < $1) }
        var cumulative = 0.0
        var below = 0
        for i in 0..<n {
            cumulative += Foundation.exp(Double(candidates[Int(order[i])].logit - top) - logZ)
            if cumulative < mass { below += 1 } else { break }
        }
        let threshold = s[Int(order[min(below, n - 1)])]
        let protected = order.prefix(minKeep)
        candidates.removeAll { _, i in s[i] > threshold && !protected.contains(Int32(i)) }
    }
}

/// Top-nσ (Tang et al. 2024) as llama.cpp's `top_n_sigma`: keeps tokens whose logit is at least
/// `max − n·σ`, σ the population standard deviation of the finite logits.
public struct TopNSigma: SamplerStage {
    public let name = "top_n_sigma"
    public let n: Double

    public init(_ n: Double) throws {
        try require(n > 0 && n.isFinite, "top_n_sigma", "must be > 0, found \(show(n))")
        self.n = n
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        var sum = 0.0
        var count = 0
        var top = -Float.infinity
        candidates.forEachLogit { _, l in
            guard l > -.infinity else { return }
            sum += Double(l)
            count += 1
            top = max(top, l)
        }
        guard count > 1 else { return }
        let mean = sum / Double(count)
        var squares = 0.0
        candidates.forEachLogit { _, l in
            guard l > -.infinity else { return }
            squares += (Double(l) - mean) * (Double(l) - mean)
        }
        let sigma = (squares / Double(count)).squareRoot()
        let threshold = Double(top) - n * sigma
        candidates.removeAll { c, _ in Double(c.logit) < threshold }
    }
}
