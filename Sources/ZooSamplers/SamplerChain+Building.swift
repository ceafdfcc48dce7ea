import ZooCore

// Chains built from their specification: a manifest's list or `--chain` (through the stage
// registry), or the sampling parameters of `generation_config.json`.

/// A chain could not be built: which stage, and why.
public struct SamplerChainError: Error, CustomStringConvertible, Sendable {
    /// E.g. `--chain, stage 3`.
    public let location: String
    public let underlying: any Error

    public var description: String { "\(location): \(underlying)" }
}

extension SamplerChain {
    /// Builds the stages `specs` names from `registry` (default: the built-ins), in that order.
    /// Errors name the stage (`<context>, stage 3`) and the parameter (`top_p: must be in (0, 1],
    /// found 1.5`).
    public init(
        stages specs: [SamplerStageSpec], registry: Registry<SamplerStageFactory>? = nil, context: String = ""
    ) throws {
        let registry = registry ?? BuiltinSamplerStages.makeRegistry()
        var stages: [any SamplerStage] = []
        for (i, spec) in specs.enumerated() {
            let location = context.isEmpty ? "stage \(i + 1)" : "\(context), stage \(i + 1)"
            do {
                let factory = try registry.factory(spec.name)
                stages.append(try factory(ComponentOptions(spec.options)))
            } catch {
                throw SamplerChainError(location: location, underlying: error)
            }
        }
        do {
            try self.init(stages)
        } catch let error as OptionError {
            let i = stages.firstIndex { $0.selectsToken } ?? 0
            throw SamplerChainError(
                location: context.isEmpty ? "stage \(i + 1)" : "\(context), stage \(i + 1)", underlying: error)
        }
    }

    /// Builds a chain from `--chain` syntax (see ``ChainSyntax``).
    public init(spec: String, registry: Registry<SamplerStageFactory>? = nil, context: String = "--chain") throws {
        try self.init(stages: ChainSyntax.parse(spec), registry: registry, context: context)
    }
}

/// Sampling parameters as `generation_config.json` gives them, mapped onto a chain with HF's
/// semantics (qwen-spec §4.2).
public enum GenerationConfigSampling {
    /// The stages HF's `generate` would apply: `repetition_penalty` (if ≠ 1) and
    /// `no_repeat_ngram` (if > 0) first; then, without `do_sample` (HF's default), `greedy`;
    /// with it, `temperature` (if ≠ 1; 0 means greedy) → `top_k` (HF's default 50 when absent, 0 =
    /// off) → `top_p` (if < 1) → `min_p` → `typical_p` (if < 1).
    public static func stages(
        doSample: Bool?, temperature: Double? = nil, topK: Int? = nil, topP: Double? = nil, minP: Double? = nil,
        typicalP: Double? = nil, repetitionPenalty: Double? = nil, noRepeatNGramSize: Int? = nil
    ) -> [SamplerStageSpec] {
        var stages: [SamplerStageSpec] = []
        if let r = repetitionPenalty, r != 1 { stages.append(SamplerStageSpec("repetition_penalty", value: r)) }
        if let n = noRepeatNGramSize, n > 0 { stages.append(SamplerStageSpec("no_repeat_ngram", value: Double(n))) }
        let t = temperature ?? 1
        guard doSample ?? false, t != 0 else {
            stages.append(SamplerStageSpec("greedy"))
            return stages
        }
        if t != 1 { stages.append(SamplerStageSpec("temperature", value: t)) }
        let k = topK ?? 50
        if k > 0 { stages.append(SamplerStageSpec("top_k", value: Double(k))) }
        if let p = topP, p < 1 { stages.append(SamplerStageSpec("top_p", value: p)) }
        if let p = minP, p > 0 { stages.append(SamplerStageSpec("min_p", value: p)) }
        if let p = typicalP, p < 1 { stages.append(SamplerStageSpec("typical_p", value: p)) }
        return stages
    }

    /// The chain for those parameters (see ``stages(doSample:temperature:topK:topP:minP:typicalP:repetitionPenalty:noRepeatNGramSize:)``).
    public static func chain(
        doSample: Bool?, temperature: Double? = nil, topK: Int? = nil, topP: Double? = nil, minP: Double? = nil,
        typicalP: Double? = nil, repetitionPenalty: Double? = nil, noRepeatNGramSize: Int? = nil
    ) throws -> SamplerChain {
        try SamplerChain(
            stages: stages(
                doSample: doSample, temperature: temperature, topK: topK, topP: topP, minP: minP, typicalP: typicalP,
                repetitionPenalty: repetitionPenalty, noRepeatNGramSize: noRepeatNGramSize),
            context: "generation_config.json")
    }
}
