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
        /// Registers `name`, whose options must be among `allowed` (nil: any key, as `logit_bias`'s ids).
        func add(_ name: String, _ allowed: [String]?, _ make: @escaping @Sendable (SamplerStageArguments) throws -> any SamplerStage) {
            registry.register(name) { options in
                let a = SamplerStageArguments(stage: name, options: options)
                if let allowed { try a.allow(allowed) }
                return try make(a)
            }
        }
        let cutoff = ["value", "min_keep"], counted = ["value", "window", "include_prompt"]
        add("greedy", []) { _ in Greedy() }
        add("temperature", ["value"]) { try Temperature($0.double("value")) }
        add("dynamic_temperature", ["temperature", "range", "exponent"]) { a in
            try DynamicTemperature(
                temperature: a.double("temperature"), range: a.double("range", default: 0),
                exponent: a.double("exponent", default: 1))
        }
        add("top_k", ["value"]) { try TopK($0.int("value")) }
        add("top_p", cutoff) { try TopP($0.double("value"), minKeep: $0.int("min_keep", default: 1)) }
        add("min_p", cutoff) { try MinP($0.double("value"), minKeep: $0.int("min_keep", default: 1)) }
        add("typical_p", cutoff) { try TypicalP($0.double("value"), minKeep: $0.int("min_keep", default: 1)) }
        add("top_n_sigma", ["value"]) { try TopNSigma($0.double("value")) }
        add("epsilon_cutoff", cutoff) { try EpsilonCutoff($0.double("value"), minKeep: $0.int("min_keep", default: 1)) }
        add("eta_cutoff", cutoff) { try EtaCutoff($0.double("value"), minKeep: $0.int("min_keep", default: 1)) }
        add("repetition_penalty", ["value", "window"]) {
            try RepetitionPenalty($0.double("value"), window: $0.int("window", default: 0))
        }
        add("presence_penalty", counted) { try PresencePenalty($0.double("value"), window: $0.int("window", default: 0),
                                                               includePrompt: $0.bool("include_prompt", default: false)) }
        add("frequency_penalty", counted) { try FrequencyPenalty($0.double("value"), window: $0.int("window", default: 0),
                                                                 includePrompt: $0.bool("include_prompt", default: false)) }
        add("no_repeat_ngram", ["value"]) { try NoRepeatNGram($0.int("value")) }
        add("logit_bias", nil) { a in
            var bias: [Int: Double] = [:]
            for key in a.options.values.keys.sorted() {
                guard let id = Int(key) else {
                    throw OptionError(context: "", key: "logit_bias.\(key)", message: "expected a token id as the key, e.g. logit_bias(151643=-inf)")
                }
                bias[id] = try a.double(key)
            }
            return try LogitBias(bias)
        }
        add("banned_tokens", ["value"]) { try BannedTokens($0.ids("value")) }
        add("allowed_tokens", ["value"]) { try AllowedTokens($0.ids("value")) }
        add("xtc", ["probability", "threshold", "min_keep"]) { a in
            try XTC(
                probability: a.double("probability"), threshold: a.double("threshold", default: 0.1),
                minKeep: a.int("min_keep", default: 1))
        }
        add("dry", ["multiplier", "base", "allowed_length", "penalty_last_n", "sequence_breakers"]) { a in
            try DRY(
                multiplier: a.double("multiplier"), base: a.double("base", default: 1.75),
                allowedLength: a.int("allowed_length", default: 2), penaltyLastN: a.int("penalty_last_n", default: -1),
                sequenceBreakers: a.idSequences("sequence_breakers"))
        }
        add("mirostat", ["tau", "eta", "m"]) {
            try Mirostat(tau: $0.double("tau", default: 5), eta: $0.double("eta", default: 0.1), m: $0.int("m", default: 100))
        }
        add("mirostat_v2", ["tau", "eta"]) { try MirostatV2(tau: $0.double("tau", default: 5), eta: $0.double("eta", default: 0.1)) }
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
    /// token-picking stages last. Constraint stages (ZooGrammar's `json`, `json_schema`, `regex`,
    /// `grammar`, `choice`…) come first, so nothing they forbid is ever drawn.
    public static let defaultOrder = [
        "json", "json_schema", "json_schema_file", "regex", "grammar", "grammar_file", "choice",
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
