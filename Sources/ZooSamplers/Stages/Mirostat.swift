import Foundation
import ZooCore

/// Mirostat 1.0 (Basu et al. 2021) as llama.cpp's `llama_sampler_mirostat`: estimates the Zipf
/// exponent ŝ from the best `m` candidates (`ŝ = Σ tᵢbᵢ / Σ tᵢ²`, `tᵢ = ln((i+2)/(i+1))`,
/// `bᵢ = ln(pᵢ/pᵢ₊₁)`), keeps the top `k = (ε̂·2^μ / (1 − N^(−ε̂)))^(1/ŝ)` (`ε̂ = ŝ − 1`, N the
/// vocabulary), draws, and moves `μ` by `−eta · (surprise − tau)`, surprise = −log₂ p of the
/// drawn token. `μ` starts at `2·tau` and is reset per request. Picks the token: last stage.
public struct Mirostat: SamplerStage {
    public let name = "mirostat"
    public var selectsToken: Bool { true }
    public let tau: Double
    public let eta: Double
    public let m: Int
    /// The current target surprise bound.
    public private(set) var mu: Double

    public init(tau: Double = 5, eta: Double = 0.1, m: Int = 100) throws {
        try require(tau > 0 && tau.isFinite, "mirostat.tau", "must be > 0, found \(show(tau))")
        try require(eta >= 0 && eta.isFinite, "mirostat.eta", "must be ≥ 0, found \(show(eta))")
        try require(m >= 2, "mirostat.m", "must be ≥ 2, found \(m)")
        self.tau = tau
        self.eta = eta
        self.m = m
        mu = 2 * tau
    }

    public mutating func reset() { mu = 2 * tau }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        let estimateCount = min(m - 1, candidates.count - 1)
        candidates.sortPrefix(estimateCount + 1)
        var sumTB = 0.0
        var sumTT = 0.0
        for i in 0..<max(estimateCount, 0) {
            let next = candidates[i + 1].logit
            guard next > -.infinity else { break }
            let t = Foundation.log(Double(i + 2) / Double(i + 1))
            let b = Double(candidates[i].logit - next)  // ln(pᵢ/pᵢ₊₁)
            sumTB += t * b
            sumTT += t * t
        }
        let sHat = sumTB / sumTT
        let epsilonHat = sHat - 1
        let n = Double(candidates.vocabularySize)
        let k = pow(epsilonHat * pow(2, mu) / (1 - pow(n, -epsilonHat)), 1 / sHat)
        let keep = k.isFinite ? Int(min(max(k, 1), Double(candidates.count))) : candidates.count
        candidates.keepBest(keep)
        let (index, p) = candidates.draw(using: &context.random)
        candidates.selected = index
        mu -= eta * (-log2(p) - tau)
    }
}

/// Mirostat 2.0 (Basu et al. 2021) as llama.cpp's `llama_sampler_mirostat_v2`: removes tokens
/// whose surprise −log₂ p exceeds `μ` (the best token always stays), draws from the rest
/// renormalized, and moves `μ` by `−eta · (surprise − tau)`. `μ` starts at `2·tau`, reset per
/// request. Picks the token: last stage.
public struct MirostatV2: SamplerStage {
    public let name = "mirostat_v2"
    public var selectsToken: Bool { true }
    public let tau: Double
    public let eta: Double
    public private(set) var mu: Double

    public init(tau: Double = 5, eta: Double = 0.1) throws {
        try require(tau > 0 && tau.isFinite, "mirostat_v2.tau", "must be > 0, found \(show(tau))")
        try require(eta >= 0 && eta.isFinite, "mirostat_v2.eta", "must be ≥ 0, found \(show(eta))")
        self.tau = tau
        self.eta = eta
        mu = 2 * tau
    }

    public mutating func reset() { mu = 2 * tau }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        let top = candidates.maxLogit()
        let logZ = Foundation.log(partition(candidates, max: top))
        let bound = mu
        // −log₂ p > μ  ⇔  (logit − max − ln Z) / ln 2 < −μ
        candidates.removeAll { c, _ in -(Double(c.logit - top) - logZ) / M_LN2 > bound }
        let (index, p) = candidates.draw(using: &context.random)
        candidates.selected = index
        mu -= eta * (-log2(p) - tau)
    }
}
