import Foundation
import ZooSamplers

/// HumanEval-style evaluation: each completion runs against its unit tests in the sandbox;
/// pass@1, and pass@k with the unbiased estimator of Chen et al. (2021).
public struct CodeEvaluation: Sendable {
    /// `{"task_id", "prompt", "entry_point", "test"}` per line (HumanEval's fields).
    public struct Item: Decodable, Sendable {
        /// The problem's id, e.g. `HumanEval/0`.
        public let task_id: String
        /// The function's signature and docstring; the completion continues it.
        public let prompt: String
        /// The name of the function the tests call.
        public let entry_point: String
        /// Python that defines `check(candidate)`, which asserts on the completed function.
        public let test: String

        /// A problem; an empty `entry_point` (MBPP) means `test` asserts by itself and `check` is not called.
        public init(task_id: String, prompt: String, entry_point: String, test: String) {
            self.task_id = task_id
            self.prompt = prompt
            self.entry_point = entry_point
            self.test = test
        }
    }

    /// The score of a run.
    public struct Result: Sendable, Equatable {
        /// How many problems were attempted.
        public var problems: Int
        /// Completions per problem (``CodeEvaluation/samples``).
        public var samplesPerProblem: Int
        /// pass@k for k = 1 and the other reported values.
        public var passAtK: [Int: Double]
        /// Completions stopped for running too long (they count as failed).
        public var timedOut: Int
    }

    /// Completions per problem: 1 is greedy; more are sampled with `samplingChain`.
    public var samples = 1
    /// The chain that samples completions when `samples` > 1; default temperature 0.8, top-p 0.95.
    public var samplingChain: [SamplerStageSpec] = [SamplerStageSpec("temperature", value: 0.8), SamplerStageSpec("top_p", value: 0.95)]
    /// The base seed; each sample of each problem derives its own from it.
    public var seed: UInt64 = 0
    /// The most ids per completion; `nil` takes the manifest's `max_tokens`, then 512.
    public var maxTokens: Int?
    /// Where the completed programs run.
    public var sandbox = CodeSandbox()
    /// The k of every pass@k reported, each at most ``samples`` (default ``defaultKs(samples:)``).
    public var ks: [Int]
    /// Completions in flight at once (`--concurrency`), to keep a remote engine busy.
    public var concurrency = 1

    /// An evaluation with `samples` completions per problem; a `nil` `samplingChain` keeps the
    /// default (temperature 0.8, top-p 0.95).
    public init(samples: Int = 1, samplingChain: [SamplerStageSpec]? = nil, seed: UInt64 = 0, maxTokens: Int? = nil,
                sandbox: CodeSandbox = CodeSandbox(), ks: [Int]? = nil, concurrency: Int = 1) {
        self.concurrency = concurrency
        self.samples = samples
        self.ks = ks ?? Self.defaultKs(samples: samples)
        if let samplingChain { self.samplingChain = samplingChain }
        self.seed = seed
        self.maxTokens = maxTokens
        self.sandbox = sandbox
    }

    /// The pass@k reported when none are asked for: k = 1, 10 and 100 where they are at most `samples`,
    /// and k = `samples` itself.
    public static func defaultKs(samples: Int) -> [Int] {
        Array(Set([1, 10, 100].filter { $0 <= samples } + [samples])).sorted()
    }

    /// The unbiased pass@k estimate for one problem with `n` samples of which `c` passed:
    /// 1 − C(n−c, k) / C(n, k), computed as a product to stay stable.
    public static func passAtK(n: Int, c: Int, k: Int) -> Double {
        precondition(k >= 1 && k <= n && c >= 0 && c <= n)
        if c == 0 { return 0 }
        if n - c < k { return 1 }
        var missAll = 1.0
        for i in (n - c + 1)...n { missAll *= 1 - Double(k) / Double(i) }
        return 1 - missAll
    }

    /// The program HumanEval runs: prompt, completion, the tests, and the call of `check` (none for an
    /// item without an entry point, whose tests are plain asserts, as MBPP's).
    public static func program(_ item: Item, completion: String) -> String {
        let program = item.prompt + completion + "\n\n" + item.test
        return item.entry_point.isEmpty ? program + "\n" : program + "\n\ncheck(\(item.entry_point))\n"
    }

    /// Completes and tests every item; `progress` gets (completions done, completions). A problem
    /// already in `results` (same id and prompt hash) is not completed again; each new record is
    /// appended to `results` once its samples are tested. Throws ``EvaluationError`` before generating
    /// anything if the sandbox cannot start Python, if a k of ``ks`` is not in 1…``samples``, or for a
    /// results file written by another run.
    public func run(_ model: LoadedModel, items: [Item], results: EvaluationResultsFile? = nil,
                    progress: EvaluationProgress = { _, _ in }) throws -> Result {
        if let k = ks.first(where: { $0 < 1 || $0 > samples }) {
            throw EvaluationError("pass@\(k) needs 1 ≤ k ≤ samples (\(samples))")
        }
        try sandbox.preflight()
        let hashes = try items.indices.map { try hash(model, items[$0], index: $0) }
        let kept = try items.indices.map { try results?.kept(items[$0].task_id, hash: hashes[$0]) }
        var records: [EvaluationRecord] = []
        var outcomes: [String] = [], firstCode = ""
        // One unit of work per completion (problem index · samples + sample), run and tested in flight;
        // a kept problem's units give back its recorded verdicts.
        try OrderedConcurrentWork<(outcome: String, code: String)>(concurrency: concurrency).run(count: items.count * samples) { [self] unit in
            let (index, s) = unit.quotientAndRemainder(dividingBy: samples)
            if let done = kept[index] { return (done.outcomes?[s] ?? "failed", "") }
            let options = GenerationOptions(
                maxTokens: maxTokens, seed: seed &+ UInt64(index) &* 1000 &+ UInt64(s),
                sampler: samples == 1 ? [] : samplingChain)
            let completion = try model.generate(.completion(items[index].prompt), options: options)
            let code: String
            switch completion.output {
            case .code(let c), .text(let c): code = c
            case .answer(let solution, _): code = solution
            }
            return (Self.verdict(try sandbox.run(Self.program(items[index], completion: code))), code)
        } deliver: { unit, result in
            let (index, s) = unit.quotientAndRemainder(dividingBy: samples)
            if s == 0 { firstCode = result.code }
            outcomes.append(result.outcome)
            if s == samples - 1 {
                if let done = kept[index] {
                    records.append(done)
                } else {
                    var record = EvaluationRecord(
                        id: items[index].task_id, promptHash: hashes[index], output: firstCode, extracted: nil,
                        gold: "tests pass", correct: outcomes[0] == "passed")
                    record.outcomes = outcomes
                    try results?.append(record)
                    records.append(record)
                }
                outcomes = []
            }
            progress(unit + 1, items.count * samples)
        }
        let passedCounts = records.map { $0.outcomes?.filter { $0 == "passed" }.count ?? 0 }
        let timedOut = records.reduce(0) { $0 + ($1.outcomes?.filter { $0 == "timed_out" }.count ?? 0) }
        var passAtK: [Int: Double] = [:]
        for k in ks {
            let total = passedCounts.reduce(0.0) { $0 + Self.passAtK(n: samples, c: $1, k: k) }
            passAtK[k] = total / Double(items.count)
        }
        return Result(problems: items.count, samplesPerProblem: samples, passAtK: passAtK, timedOut: timedOut)
    }

    /// A sandbox outcome as a record keeps it.
    private static func verdict(_ outcome: CodeSandbox.Outcome) -> String {
        switch outcome {
        case .passed: "passed"
        case .failed: "failed"
        case .timedOut: "timed_out"
        }
    }

    private func hash(_ model: LoadedModel, _ item: Item, index: Int) throws -> String {
        let settings = RecordHash.settings(model, votes: samples, chain: samplingChain, maxTokens: maxTokens,
                                           seed: seed &+ UInt64(index) &* 1000)
        return RecordHash.of(run: "task-code", settings: settings, tokens: try model.plan(.completion(item.prompt)).tokens)
    }
}
