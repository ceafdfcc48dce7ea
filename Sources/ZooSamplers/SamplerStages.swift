import ZooCore

/// Makes a stage from its options (a single scalar arrives as the option `value`).
public typealias SamplerStageFactory = @Sendable (ComponentOptions) throws -> any SamplerStage

/// A chain could not be built: which stage, and why.
public struct SamplerChainError: Error, CustomStringConvertible, Sendable {
    /// E.g. `--chain, stage 3`.
    public let location: String
    public let underlying: any Error

    public var description: String { "\(location): \(underlying)" }
}

/// The built-in stages, their registry names and the default order.
///
/// | name | options (`value` = the scalar form) |
/// |---|---|
/// | `greedy` | — |
/// | `temperature` | `value` ≥ 0 (0 = greedy) |
/// | `dynamic_temperature` | `temperature`, `range` (0), `exponent` (1) |
/// | `top_k` | `value` ≥ 0 (0 = off) |
/// | `top_p` | `value` ∈ (0, 1], `min_keep` (1) |
/// | `min_p` | `value` ∈ [0, 1], `min_keep` (1) |
/// | `typical_p` | `value` ∈ (0, 1], `min_keep` (1) |
/// | `top_n_sigma` | `value` > 0 |
/// | `epsilon_cutoff`, `eta_cutoff` | `value` ∈ (0, 1), `min_keep` (1) |
/// | `repetition_penalty` | `value` > 0, `window` (0 = whole sequence) |
/// | `presence_penalty`, `frequency_penalty` | `value`, `window` (0), `include_prompt` (false) |
/// | `no_repeat_ngram` | `value` ≥ 1 |
/// | `logit_bias` | token id → bias, e.g. `logit_bias(151643=-inf,42=2.5)` |
/// | `banned_tokens`, `allowed_tokens` | `value`: a list of token ids |
/// | `xtc` | `probability`, `threshold` (0.1), `min_keep` (1) |
/// | `dry` | `multiplier`, `base` (1.75), `allowed_length` (2), `penalty_last_n` (-1), `sequence_breakers` ([]) |
/// | `mirostat` | `tau` (5), `eta` (0.1), `m` (100) |
/// | `mirostat_v2` | `tau` (5), `eta` (0.1) |
public enum SamplerStages {
    /// Registers every built-in stage under its name.
    public static func registerBuiltins(into registry: Registry<SamplerStageFactory>) {
        func add(_ name: String, _ make: @escaping @Sendable (StageArguments) throws -> any SamplerStage) {
            registry.register(name) { options in try make(StageArguments(stage: name, options: options)) }
        }
        add("greedy") { a in
            try a.allow([])
            return Greedy()
        }
        add("temperature") { a in
            try a.allow(["value"])
            return try Temperature(a.double("value"))
        }
        add("dynamic_temperature") { a in
            try a.allow(["temperature", "range", "exponent"])
            return try DynamicTemperature(
                temperature: a.double("temperature"), range: a.double("range", default: 0),
                exponent: a.double("exponent", default: 1))
        }
        add("top_k") { a in
            try a.allow(["value"])
            return try TopK(a.int("value"))
        }
        add("top_p") { a in
            try a.allow(["value", "min_keep"])
            return try TopP(a.double("value"), minKeep: a.int("min_keep", default: 1))
        }
        add("min_p") { a in
            try a.allow(["value", "min_keep"])
            return try MinP(a.double("value"), minKeep: a.int("min_keep", default: 1))
        }
        add("typical_p") { a in
            try a.allow(["value", "min_keep"])
            return try TypicalP(a.double("value"), minKeep: a.int("min_keep", default: 1))
        }
        add("top_n_sigma") { a in
            try a.allow(["value"])
            return try TopNSigma(a.double("value"))
        }
        add("epsilon_cutoff") { a in
            try a.allow(["value", "min_keep"])
            return try EpsilonCutoff(a.double("value"), minKeep: a.int("min_keep", default: 1))
        }
        add("eta_cutoff") { a in
            try a.allow(["value", "min_keep"])
            return try EtaCutoff(a.double("value"), minKeep: a.int("min_keep", default: 1))
        }
        add("repetition_penalty") { a in
            try a.allow(["value", "window"])
            return try RepetitionPenalty(a.double("value"), window: a.int("window", default: 0))
        }
        add("presence_penalty") { a in
            try a.allow(["value", "window", "include_prompt"])
            return try PresencePenalty(
                a.double("value"), window: a.int("window", default: 0),
                includePrompt: a.bool("include_prompt", default: false))
        }
        add("frequency_penalty") { a in
            try a.allow(["value", "window", "include_prompt"])
            return try FrequencyPenalty(
                a.double("value"), window: a.int("window", default: 0),
                includePrompt: a.bool("include_prompt", default: false))
        }
        add("no_repeat_ngram") { a in
            try a.allow(["value"])
            return try NoRepeatNGram(a.int("value"))
        }
        add("logit_bias") { a in
            var bias: [Int: Double] = [:]
            for key in a.options.values.keys.sorted() {
                guard let id = Int(key) else {
                    throw OptionError(context: "", key: "logit_bias.\(key)", message: "expected a token id as the key, e.g. logit_bias(151643=-inf)")
                }
                bias[id] = try a.double(key)
            }
            return try LogitBias(bias)
        }
        add("banned_tokens") { a in
            try a.allow(["value"])
            return try BannedTokens(a.ids("value"))
        }
        add("allowed_tokens") { a in
            try a.allow(["value"])
            return try AllowedTokens(a.ids("value"))
        }
        add("xtc") { a in
            try a.allow(["probability", "threshold", "min_keep"])
            return try XTC(
                probability: a.double("probability"), threshold: a.double("threshold", default: 0.1),
                minKeep: a.int("min_keep", default: 1))
        }
        add("dry") { a in
            try a.allow(["multiplier", "base", "allowed_length", "penalty_last_n", "sequence_breakers"])
            return try DRY(
                multiplier: a.double("multiplier"), base: a.double("base", default: 1.75),
                allowedLength: a.int("allowed_length", default: 2), penaltyLastN: a.int("penalty_last_n", default: -1),
                sequenceBreakers: a.idSequences("sequence_breakers"))
        }
        add("mirostat") { a in
            try a.allow(["tau", "eta", "m"])
            return try Mirostat(tau: a.double("tau", default: 5), eta: a.double("eta", default: 0.1), m: a.int("m", default: 100))
        }
        add("mirostat_v2") { a in
            try a.allow(["tau", "eta"])
            return try MirostatV2(tau: a.double("tau", default: 5), eta: a.double("eta", default: 0.1))
        }
    }

    /// A fresh registry holding the built-in stages (kind "sampler stage").
    public static func makeRegistry() -> Registry<SamplerStageFactory> {
        let registry = Registry<SamplerStageFactory>(kind: "sampler stage")
        registerBuiltins(into: registry)
        return registry
    }

    /// The order used when stages come without one (e.g. a bag of parameters): HF's for the stages
    /// it has (processors, then temperature → top_k → top_p → min_p → typical → ε → η, qwen-spec
    /// §4.2), the other penalties with the processors, top-nσ and XTC after the cutoffs, and the
    /// token-picking stages last.
    public static let defaultOrder = [
        "logit_bias", "banned_tokens", "allowed_tokens", "repetition_penalty", "presence_penalty",
        "frequency_penalty", "no_repeat_ngram", "dry", "temperature", "dynamic_temperature", "top_k",
        "top_p", "min_p", "typical_p", "epsilon_cutoff", "eta_cutoff", "top_n_sigma", "xtc", "greedy",
        "mirostat", "mirostat_v2",
    ]

    /// `stages` sorted into ``defaultOrder`` (stable; unknown names keep their place at the end).
    public static func inDefaultOrder(_ stages: [SamplerStageSpec]) -> [SamplerStageSpec] {
        let rank = Dictionary(uniqueKeysWithValues: defaultOrder.enumerated().map { ($1, $0) })
        return stages.enumerated().sorted { a, b in
            let ra = rank[a.element.name] ?? Int.max
            let rb = rank[b.element.name] ?? Int.max
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}

extension SamplerChain {
    /// Builds the stages `specs` names from `registry` (default: the built-ins), in that order.
    /// Errors name the stage (`<context>, stage 3`) and the parameter (`top_p: must be in (0, 1],
    /// found 1.5`).
    public init(
        stages specs: [SamplerStageSpec], registry: Registry<SamplerStageFactory>? = nil, context: String = ""
    ) throws {
        let registry = registry ?? SamplerStages.makeRegistry()
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

    /// Builds a chain from `--chain` syntax (see ``SamplerSpec``).
    public init(spec: String, registry: Registry<SamplerStageFactory>? = nil, context: String = "--chain") throws {
        try self.init(stages: SamplerSpec.parse(spec), registry: registry, context: context)
    }
}

/// Reads one stage's options, naming the stage in every error: the scalar `value` as the stage
/// (`top_p: …`), other options as `stage.option` (`dry.base: …`).
struct StageArguments {
    let stage: String
    let options: ComponentOptions

    func key(_ k: String) -> String { k == "value" ? stage : "\(stage).\(k)" }

    func error(_ k: String, _ message: String) -> OptionError {
        OptionError(context: "", key: key(k), message: message)
    }

    func allow(_ allowed: [String]) throws {
        for k in options.values.keys.sorted() where !allowed.contains(k) {
            if k == "value" {
                let example = allowed.first.map { " (e.g. \(stage)(\($0)=…))" } ?? ""
                throw OptionError(context: "", key: stage, message: allowed.isEmpty
                    ? "takes no value" : "takes named options\(example): \(allowed.joined(separator: ", "))")
            }
            let suggestion = closestMatch(to: k, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
            let known = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
            throw error(k, "unknown option\(suggestion); known options: \(known)")
        }
    }

    private func present(_ k: String) -> OptionValue? {
        switch options.values[k] {
        case nil, .null?: return nil
        case let v?: return v
        }
    }

    private func missing(_ k: String) -> OptionError {
        error(k, k == "value" ? "needs a value, e.g. \(stage)=…" : "is required")
    }

    func double(_ k: String, default fallback: Double? = nil) throws -> Double {
        guard let v = present(k) else {
            if let fallback { return fallback }
            throw missing(k)
        }
        switch v {
        case .number(let n): return n
        case .string(let s) where Double(s) != nil: return Double(s)!
        default: throw error(k, "expected a number, found \(v.typeName)")
        }
    }

    func int(_ k: String, default fallback: Int? = nil) throws -> Int {
        guard present(k) != nil else {
            if let fallback { return fallback }
            throw missing(k)
        }
        let n = try double(k)
        guard n == n.rounded(), abs(n) < 1e15 else { throw error(k, "expected an integer, found \(show(n))") }
        return Int(n)
    }

    func bool(_ k: String, default fallback: Bool) throws -> Bool {
        guard let v = present(k) else { return fallback }
        guard case .bool(let b) = v else { throw error(k, "expected true or false, found \(v.typeName)") }
        return b
    }

    private func id(_ v: OptionValue, _ k: String) throws -> Int {
        guard case .number(let n) = v, n == n.rounded(), n >= 0, n < 1e12 else {
            throw error(k, "expected token ids (non-negative integers), found \(v.typeName == "a number" ? "\(v)" : v.typeName)")
        }
        return Int(n)
    }

    /// A list of token ids (a single id is accepted as a list of one).
    func ids(_ k: String) throws -> [Int] {
        guard let v = present(k) else { throw missing(k) }
        if case .list(let items) = v { return try items.map { try id($0, k) } }
        return [try id(v, k)]
    }

    /// A list whose items are token ids (one-token sequences) or lists of token ids.
    func idSequences(_ k: String) throws -> [[Int]] {
        guard let v = present(k) else { return [] }
        guard case .list(let items) = v else { throw error(k, "expected a list of token ids or of id lists, found \(v.typeName)") }
        return try items.map { item in
            if case .list(let seq) = item { return try seq.map { try id($0, k) } }
            return [try id(item, k)]
        }
    }
}

/// Sampling parameters as `generation_config.json` gives them, mapped onto a chain with HF's
/// semantics (qwen-spec §4.2).
public enum Sampling {
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
