import ZooCore

/// Makes a stage from its options (a single scalar arrives as the option `value`).
public typealias SamplerStageFactory = @Sendable (ComponentOptions) throws -> any SamplerStage

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
        /// A cutoff taking a `value` and `min_keep` (default 1).
        func addCutoff(_ name: String, _ make: @escaping @Sendable (Double, Int) throws -> any SamplerStage) {
            add(name) { a in
                try a.allow(["value", "min_keep"])
                return try make(a.double("value"), a.int("min_keep", default: 1))
            }
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
        addCutoff("top_p") { try TopP($0, minKeep: $1) }
        addCutoff("min_p") { try MinP($0, minKeep: $1) }
        addCutoff("typical_p") { try TypicalP($0, minKeep: $1) }
        add("top_n_sigma") { a in
            try a.allow(["value"])
            return try TopNSigma(a.double("value"))
        }
        addCutoff("epsilon_cutoff") { try EpsilonCutoff($0, minKeep: $1) }
        addCutoff("eta_cutoff") { try EtaCutoff($0, minKeep: $1) }
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
