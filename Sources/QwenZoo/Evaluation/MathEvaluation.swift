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

        /// A problem and its gold final answer.
        public init(question: String, answer: String) {
            self.question = question
            self.answer = answer
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
    /// total), counting each problem's greedy run and its vote. Throws ``EvaluationError`` if the
    /// manifest's variant does not extract answers.
    public func run(_ model: LoadedModel, items: [Item], progress: EvaluationProgress = { _, _ in }) throws -> Result {
        let passes = votes > 1 ? 2 : 1
        // The variant with one vote (greedy) and with `votes`, built once for every problem.
        let single = try model.withVariantOptions(["votes": .number(1)])
        let voting = try model.withVariantOptions(["votes": .number(Double(votes))])
        var greedyCorrect = 0, majorityCorrect = 0, answered = 0
        var agreement = 0.0
        try OrderedConcurrentWork<(ExtractedAnswer, ExtractedAnswer?)>(concurrency: concurrency).run(count: items.count) { index in
            let problemSeed = seed &+ UInt64(index) &* 1000
            let greedy = try answer(single, items[index].question, chain: [], seed: problemSeed)
            let voted = votes > 1 ? try answer(voting, items[index].question, chain: votingChain, seed: problemSeed) : nil
            return (greedy, voted)
        } deliver: { index, result in
            let (greedy, voted) = result
            if greedy.answer != nil { answered += 1 }
            if Self.isCorrect(greedy.answer, gold: items[index].answer) { greedyCorrect += 1 }
            if let voted {
                if Self.isCorrect(voted.answer, gold: items[index].answer) { majorityCorrect += 1 }
                agreement += Double(voted.votes) / Double(max(1, voted.samples))
            }
            progress((index + 1) * passes, items.count * passes)
        }
        let n = Double(items.count)
        return Result(
            problems: items.count, accuracy: Double(greedyCorrect) / n,
            majorityAccuracy: votes > 1 ? Double(majorityCorrect) / n : nil, votes: votes, answered: answered,
            agreement: votes > 1 ? agreement / n : nil)
    }

    private func answer(_ model: LoadedModel, _ question: String, chain: [SamplerStageSpec], seed: UInt64) throws
        -> ExtractedAnswer
    {
        let completion = try model.generate(
            .problem(question), options: GenerationOptions(maxTokens: maxTokens, seed: seed, sampler: chain))
        guard case .answer(_, let extracted) = completion.output else {
            throw EvaluationError("the manifest's variant (\(model.manifest.variant.name)) does not extract answers; use a math manifest")
        }
        return extracted
    }
}

/// Default chains of the evaluation harness.
public enum SamplerSpecDefaults {
    /// Self-consistency votes: temperature 0.7, top-p 0.95 (common maj@k settings).
    public static let voting: [SamplerStageSpec] = [
        SamplerStageSpec("temperature", value: 0.7), SamplerStageSpec("top_p", value: 0.95),
    ]
}
