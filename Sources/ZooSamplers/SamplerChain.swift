import ZooCore

/// One step of a sampler chain: it sees the candidates and the token history, narrows or
/// rescores the candidates, and may keep per-sequence state.
///
/// A Swift app adds its own stage by conforming and registering a factory under a name:
///
/// ```swift
/// struct NoDigits: SamplerStage {
///     let name = "no_digits"
///     let digitIDs: [Int]
///     mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
///         candidates.mask(digitIDs)
///     }
/// }
/// registry.register("no_digits") { _ in NoDigits(digitIDs: [15, 16, 17]) }
/// ```
public protocol SamplerStage {
    /// The name used in manifests, `--chain` and traces, e.g. `top_p`.
    var name: String { get }
    /// Whether the stage picks the token itself (greedy, mirostat) by setting
    /// ``SamplerCandidates/selected``; such a stage must be the last of its chain.
    var selectsToken: Bool { get }
    /// Forgets per-sequence state; called before every request.
    mutating func reset()
    /// Narrows or rescores `candidates`. Random decisions draw from `context.random`.
    mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws
}

extension SamplerStage {
    public var selectsToken: Bool { false }
    public mutating func reset() {}
}

/// What one stage did at one step (recorded only when tracing).
public struct SamplerStageTrace: Sendable, Equatable, Codable {
    public var stage: String
    /// Candidates with a finite logit after the stage.
    public var kept: Int
    /// The probability mass, under the distribution the stage received, of the candidates it
    /// kept (1 for a stage that only rescores).
    public var mass: Double
}

/// A receipt of one sampling step (recorded only when tracing).
public struct SamplerStepTrace: Sendable, Equatable, Codable {
    /// Finite candidates in the model's row.
    public var candidates: Int
    /// Entropy (nats) of the model's own distribution, softmax(logits).
    public var modelEntropy: Double
    public var stages: [SamplerStageTrace]
    /// Entropy (nats) of the distribution the token was drawn from.
    public var entropy: Double
    public var token: Int
    /// The chosen token's probability under that distribution.
    public var probability: Double
}

/// Stages applied in exactly the order given, then a draw from what survives.
///
/// - The final pick is softmax sampling over the surviving candidates with the request's own
///   ``SeededRandom`` (``SamplerCandidates/draw(using:)``), unless the last stage selects the token
///   itself (`greedy`, `mirostat`, `mirostat_v2`).
/// - An empty chain is greedy (argmax, ties to the lowest id), like HF's `do_sample=False`.
/// - When no order is given (e.g. a bag of Ollama-style parameters), ``BuiltinSamplerStages/defaultOrder``
///   applies: HF's, with penalties first and temperature before the cutoffs.
/// - Buffers are reused between steps: after the first step, sampling allocates nothing
///   (tracing aside).
public struct SamplerChain: TokenSampler {
    public private(set) var stages: [any SamplerStage]
    /// Whether ``next(logits:context:)`` records ``lastTrace``. Off costs nothing.
    public var tracing = false
    /// The receipt of the last step, when ``tracing`` is on.
    public private(set) var lastTrace: SamplerStepTrace?

    private var candidates = SamplerCandidates()
    private var traceProbabilities = TokenTable<Float>(zero: 0)

    /// A chain of `stages`; a selecting stage (greedy, mirostat) may only come last.
    public init(_ stages: [any SamplerStage]) throws {
        for (i, stage) in stages.enumerated().dropLast() where stage.selectsToken {
            throw OptionError(
                context: "", key: stage.name,
                message: "picks the token itself, so it must be the last stage; found \"\(stages[i + 1].name)\" after it")
        }
        self.init(validated: stages)
    }

    /// A chain of `stages` already checked (only the last may select the token).
    init(validated stages: [any SamplerStage]) {
        self.stages = stages
    }

    /// Replaces each stage for which `transform` returns a new one (binding stages to a vocabulary).
    mutating func bindStages(_ transform: (any SamplerStage) throws -> (any SamplerStage)?) rethrows {
        for i in stages.indices {
            if let replaced = try transform(stages[i]) { stages[i] = replaced }
        }
    }

    public mutating func reset() {
        for i in stages.indices { stages[i].reset() }
        lastTrace = nil
    }

    public mutating func next(logits: inout [Float], context: inout SamplingContext) throws -> Int {
        try candidates.load(swapping: &logits)
        if tracing { return try tracedStep(context: &context) }
        for i in stages.indices {
            try stages[i].apply(to: &candidates, context: &context)
        }
        return pick(context: &context).token
    }

    private mutating func pick(context: inout SamplingContext) -> (token: Int, probability: Double) {
        if let chosen = candidates.selected {
            candidates.computeProbabilities()
            return (Int(candidates[chosen].id), Double(candidates.probability(at: chosen)))
        }
        if stages.isEmpty {
            let best = candidates.bestIndex()
            return (Int(candidates[best].id), 1)
        }
        let (index, p) = candidates.draw(using: &context.random)
        return (Int(candidates[index].id), p)
    }

    private mutating func tracedStep(context: inout SamplingContext) throws -> Int {
        var trace = SamplerStepTrace(
            candidates: candidates.finiteCount, modelEntropy: candidates.entropy(), stages: [],
            entropy: 0, token: 0, probability: 0)
        for i in stages.indices {
            // Remember each candidate's probability before the stage, by id.
            traceProbabilities.clear()
            candidates.computeProbabilities()
            for j in 0..<candidates.count {
                let p = candidates.probability(at: j)
                if p > 0 { traceProbabilities.update(Int(candidates[j].id)) { $0 = p } }
            }
            try stages[i].apply(to: &candidates, context: &context)
            var mass = 0.0
            var kept = 0
            let table = traceProbabilities
            candidates.forEachLogit { id, logit in
                guard logit > -.infinity else { return }
                kept += 1
                if table.contains(Int32(id)) { mass += Double(table.values[id]) }
            }
            trace.stages.append(SamplerStageTrace(stage: stages[i].name, kept: kept, mass: min(mass, 1)))
        }
        if stages.isEmpty {
            trace.entropy = 0
        } else if candidates.selected == nil {
            trace.entropy = candidates.entropy()
        } else {
            trace.entropy = candidates.entropy()
        }
        let (token, p) = pick(context: &context)
        if stages.isEmpty { trace.entropy = 0 }
        trace.token = token
        trace.probability = p
        lastTrace = trace
        return token
    }
}
