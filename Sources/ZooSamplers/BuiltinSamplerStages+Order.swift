// Where each stage goes when a chain comes as a bag of parameters rather than a list.

extension BuiltinSamplerStages {
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
