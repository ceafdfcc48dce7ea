import Foundation
import ZooCore

/// Divides every logit by the temperature: `logit / t` (HF `TemperatureLogitsWarper`,
/// llama.cpp `llama_sampler_temp`). `t = 0` keeps only the best token, i.e. greedy (llama.cpp's
/// convention; HF rejects 0 and asks for `do_sample=False`). `t = 1` changes nothing.
public struct Temperature: SamplerStage {
    public let name = "temperature"
    public let temperature: Double

    public init(_ temperature: Double) throws {
        try require(temperature >= 0 && temperature.isFinite, "temperature", "must be ≥ 0, found \(show(temperature))")
        self.temperature = temperature
    }

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        Self.scale(&candidates, by: temperature)
    }

    static func scale(_ candidates: inout SamplerCandidates, by temperature: Double) {
        if temperature == 0 {
            candidates.keepBest(1)
        } else if temperature != 1 {
            let t = Float(temperature)
            candidates.updateLogits(preservesOrder: true) { _, l in l = l / t }
        }
    }
}

/// Entropy-based ("dynamic") temperature, llama.cpp's `llama_sampler_temp_ext`
/// (`dynatemp_range`, `dynatemp_exponent`): with `range > 0` the temperature is
/// `t_min + (t_max − t_min) · (H / H_max)^exponent`, where `t_min = max(0, t − range)`,
/// `t_max = t + range`, `H` is the entropy of the candidates' softmax and `H_max = ln(n)` for the
/// `n` finite candidates (llama.cpp counts every candidate in its array). With `range = 0` it is
/// plain ``Temperature``. One or no finite candidate: nothing changes.
public struct DynamicTemperature: SamplerStage {
    public let name = "dynamic_temperature"
    public let temperature: Double
    public let range: Double
    public let exponent: Double
    /// The temperature used at the last step (for tests and traces).
    public private(set) var lastTemperature: Double?

    public init(temperature: Double, range: Double, exponent: Double = 1) throws {
        try require(temperature >= 0 && temperature.isFinite, "dynamic_temperature.temperature",
                    "must be ≥ 0, found \(show(temperature))")
        try require(range >= 0 && range.isFinite, "dynamic_temperature.range", "must be ≥ 0, found \(show(range))")
        try require(exponent >= 0 && exponent.isFinite, "dynamic_temperature.exponent",
                    "must be ≥ 0, found \(show(exponent))")
        self.temperature = temperature
        self.range = range
        self.exponent = exponent
    }

    public mutating func reset() { lastTemperature = nil }

    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard range > 0 else {
            lastTemperature = temperature
            Temperature.scale(&candidates, by: temperature)
            return
        }
        let n = candidates.finiteCount
        guard n > 1 else { return }
        let minT = max(0, temperature - range)
        let maxT = temperature + range
        let normalized = candidates.entropy() / Foundation.log(Double(n))
        let t = minT + (maxT - minT) * pow(normalized, exponent)
        lastTemperature = t
        Temperature.scale(&candidates, by: t)
    }
}

/// Picks the best token (argmax, ties to the lowest id). As the last stage it makes any chain
/// greedy, e.g. HF's `do_sample=False` after a repetition penalty.
public struct Greedy: SamplerStage {
    public let name = "greedy"
    public var selectsToken: Bool { true }

    public init() {}

    public func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        candidates.keepBest(1)
        candidates.selected = 0
    }
}
