import ZooCore

/// The built-in stages and their registry names (the order they apply in when none is given is
/// in `BuiltinSamplerStages+Order.swift`).
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
public enum BuiltinSamplerStages {
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
}
