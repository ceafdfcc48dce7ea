import Foundation
import QwenMath
import ZooSamplers

/// GSM8K-style evaluation: greedy accuracy, and self-consistency (majority of k sampled solutions)
/// with Qwen2.5-Math's answer extraction and normalisation.
public struct MathEvaluation: Sendable {
    /// `{"question": "…", "answer": "42"}` per line.
    public struct Item: Decodable, Sendable {
        /// The problem as posed to the model.
        public let question: String
        /// The gold final answer, compared with ``MathEvaluation/isCorrect(_:gold:)``.
        public let answer: String
        /// The item's id in its data (``BenchmarkItem/id``), which `--out` records name; nil: its position.
        public let id: String?

        /// A problem and its gold final answer.
        public init(question: String, answer: String, id: String? = nil) {
            self.question = question
            self.answer = answer
            self.id = id
        }
    }

    /// The score of a run.
    public struct Result: Sendable, Equatable {
        /// How many problems were attempted.
        public var problems: Int
        /// Greedy accuracy (one solution per problem).
        public var accuracy: Double
        /// Accuracy of the majority answer over `votes` sampled solutions (nil when votes = 1).
        public var majorityAccuracy: Double?
        /// Sampled solutions per problem for the majority vote (1: greedy only).
        public var votes: Int
        /// How many greedy solutions had any extractable answer.
        public var answered: Int
        /// The mean share of the votes that agree with the majority answer (nil when votes = 1).
        public var agreement: Double?
    }

    /// Sampled solutions per problem for self-consistency; 1 runs greedy decoding only.
    public var votes = 1
    /// The chain that samples the votes; greedy solutions always use an empty chain.
    public var votingChain: [SamplerStageSpec] = SamplerSpecDefaults.voting
    /// The base seed; each problem derives its own from it.
    public var seed: UInt64 = 0
    /// The most ids per solution; `nil` takes the manifest's `max_tokens`, then 512.
    public var maxTokens: Int?
    /// Problems in flight at once (`--concurrency`), to keep a remote engine busy; the result is
    /// that of a one-by-one run.
    public var concurrency = 1

    /// An evaluation with `votes` sampled solutions per problem; a `nil` `votingChain` keeps
    /// ``SamplerSpecDefaults/voting``.
    public init(votes: Int = 1, votingChain: [SamplerStageSpec]? = nil, seed: UInt64 = 0, maxTokens: Int? = nil, concurrency: Int = 1) {
        self.votes = votes
        if let votingChain { self.votingChain = votingChain }
        self.seed = seed
        self.maxTokens = maxTokens
        self.concurrency = concurrency
    }

    /// Whether a predicted answer equals the gold one: the same normalised string, or numerically
    /// equal within 1e-4 relative (Qwen2.5-Math's `math_equal` numeric branch).
    public static func isCorrect(_ predicted: String?, gold: String) -> Bool {
        guard let predicted else { return false }
        let p = AnswerExtraction.normalize(predicted), g = AnswerExtraction.normalize(gold)
        if p == g { return true }
        func number(_ s: String) -> Double? { Double(s.replacingOccurrences(of: ",", with: "")) }
        guard let a = number(p), let b = number(g) else { return false }
        return abs(a - b) <= 1e-4 * max(1, abs(b))
    }

    /// Solves every item greedily, and by majority vote when `votes` > 1; `progress` gets (done,
    /// total), counting each problem's greedy run and its vote. A problem already in `results` (same id
    /// and prompt hash) is not solved again; each new record is appended to `results` as it is made.
    /// Throws ``EvaluationError`` if the manifest's variant does not extract answers, or for a results
    /// file written by another run.
    public func run(_ model: LoadedModel, items: [Item], results: EvaluationResultsFile? = nil,
                    progress: EvaluationProgress = { _, _ in }) throws -> Result {
        let passes = votes > 1 ? 2 : 1
        // The variant with one vote (greedy) and with `votes`, built once for every problem.
        let single = try model.withVariantOptions(["votes": .number(1)])
        let voting = try model.withVariantOptions(["votes": .number(Double(votes))])
        let kept = try items.enumerated().map { index, item in
            try results?.kept(Self.id(item, index), hash: hash(single, item.question, index: index))
        }
        var records: [EvaluationRecord] = []
        try OrderedConcurrentWork<(record: EvaluationRecord, isNew: Bool)>(concurrency: concurrency).run(count: items.count) { index in
            if let done = kept[index] { return (done, false) }
            return (try record(single: single, voting: voting, items[index], index: index), true)
        } deliver: { index, result in
            if result.isNew { try results?.append(result.record) }
            records.append(result.record)
            progress((index + 1) * passes, items.count * passes)
        }
        let n = Double(items.count)
        func share(_ count: Int) -> Double { Double(count) / n }
        return Result(
            problems: items.count, accuracy: share(records.filter(\.correct).count),
            majorityAccuracy: votes > 1 ? share(records.filter { $0.majorityCorrect == true }.count) : nil, votes: votes,
            answered: records.filter { $0.extracted != nil }.count,
            agreement: votes > 1 ? records.reduce(0.0) { $0 + ($1.agreement ?? 0) } / n : nil)
    }

    /// The id a record of `item` names: its id in the data, else its position from 1.
    private static func id(_ item: Item, _ index: Int) -> String { item.id ?? "\(index + 1)" }

    private func problemSeed(_ index: Int) -> UInt64 { seed &+ UInt64(index) &* 1000 }

    private func hash(_ model: LoadedModel, _ question: String, index: Int) throws -> String {
        let settings = RecordHash.settings(model, votes: votes, chain: votingChain, maxTokens: maxTokens, seed: problemSeed(index))
        return RecordHash.of(run: "task-math", settings: settings, tokens: try model.plan(.problem(question)).tokens)
    }

    /// Problem `index` solved greedily (and by vote), as the record `--out` keeps.
    private func record(single: LoadedModel, voting: LoadedModel, _ item: Item, index: Int) throws -> EvaluationRecord {
        let (solution, greedy) = try answer(single, item.question, chain: [], seed: problemSeed(index))
        var record = EvaluationRecord(
            id: Self.id(item, index), promptHash: try hash(single, item.question, index: index), output: solution,
            extracted: greedy.answer, gold: item.answer, correct: Self.isCorrect(greedy.answer, gold: item.answer))
        if votes > 1 {
            let (_, voted) = try answer(voting, item.question, chain: votingChain, seed: problemSeed(index))
            record.majority = voted.answer ?? ""
            record.majorityCorrect = Self.isCorrect(voted.answer, gold: item.answer)
            record.majorityVotes = voted.votes
            record.voteCount = voted.samples
        }
        return record
    }

    private func answer(_ model: LoadedModel, _ question: String, chain: [SamplerStageSpec], seed: UInt64) throws
        -> (solution: String, extracted: ExtractedAnswer)
    {
        let completion = try model.generate(
            .problem(question), options: GenerationOptions(maxTokens: maxTokens, seed: seed, sampler: chain))
        guard case .answer(let solution, let extracted) = completion.output else {
            throw EvaluationError("the manifest's variant (\(model.manifest.variant.name)) does not extract answers; use a math manifest")
        }
        return (solution, extracted)
    }
}

/// Default chains of the evaluation harness.
public enum SamplerSpecDefaults {
    /// Self-consistency votes: temperature 0.7, top-p 0.95 (common maj@k settings).
    public static let voting: [SamplerStageSpec] = [
        SamplerStageSpec("temperature", value: 0.7), SamplerStageSpec("top_p", value: 0.95),
    ]
}
