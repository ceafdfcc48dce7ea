import QwenZoo

/// A request's sampling fields laid over a chain (the manifest's, or the request's `chain`).
///
/// - A field whose stage is in the chain replaces that stage's value in place (its other options,
///   e.g. a penalty's `window`, stay).
/// - A field whose stage is not there is inserted where ``BuiltinSamplerStages/defaultOrder`` puts it.
/// - `top_k` ≤ 0 removes the stage (vLLM's "off").
/// - A greedy chain (empty, or ending in `greedy`) stays greedy under penalties and biases; a
///   field that samples (`temperature` > 0, `top_p`, `top_k`, `min_p`) makes it sample, as in
///   OpenAI's API, where a temperature means sampling.
struct SamplerOverrides: Sendable, Equatable {
    /// Stage name → its `value` option, in the order the fields were read.
    var values: [(stage: String, value: OptionValue)] = []
    /// The stage to drop (`top_k` ≤ 0).
    var removed: Set<String> = []

    static func == (a: SamplerOverrides, b: SamplerOverrides) -> Bool {
        a.removed == b.removed && a.values.map(\.stage) == b.values.map(\.stage) && a.values.map(\.value) == b.values.map(\.value)
    }

    var isEmpty: Bool { values.isEmpty && removed.isEmpty }

    /// Whether the fields ask for a random draw.
    var samples: Bool {
        values.contains { override in
            switch override.stage {
            case "temperature": override.value != .number(0)
            case "top_p", "top_k", "min_p": true
            default: false
            }
        }
    }

    mutating func set(_ stage: String, _ value: Double) {
        values.append((stage, .number(value)))
    }

    mutating func set(_ stage: String, options: [String: OptionValue]) {
        values.append((stage, .map(options)))
    }

    /// `base` with the overrides applied.
    func apply(to base: [SamplerStageSpec]) -> [SamplerStageSpec] {
        guard !isEmpty else { return base }
        let wasGreedy = base.isEmpty || base.last?.name == "greedy"
        var stages = base.filter { $0.name != "greedy" && !removed.contains($0.name) }
        let rank = Dictionary(uniqueKeysWithValues: BuiltinSamplerStages.defaultOrder.enumerated().map { ($1, $0) })
        for (name, value) in values {
            let options: [String: OptionValue]
            if case .map(let map) = value { options = map } else { options = ["value": value] }
            if let index = stages.firstIndex(where: { $0.name == name }) {
                if case .map = value { stages[index].options = options } else { stages[index].options["value"] = value }
                continue
            }
            let own = rank[name] ?? Int.max
            let position = stages.firstIndex { (rank[$0.name] ?? Int.max) > own } ?? stages.count
            stages.insert(SamplerStageSpec(name, options), at: position)
        }
        if wasGreedy, !samples, !stages.isEmpty { stages.append(SamplerStageSpec("greedy")) }
        return stages
    }
}
