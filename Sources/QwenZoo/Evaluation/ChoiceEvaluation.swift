import Foundation

/// MMLU-style multiple choice by log-likelihood: the answer is the letter whose token the model
/// scores highest after `Answer:` (Qwen's `evaluate_mmlu.py` compares " A", " B", " C", " D").
public struct ChoiceEvaluation: Sendable {
    /// `{"question", "choices": [4 strings], "answer": "A"…"D"}` per line: a ``ChoiceRow``.
    public typealias Item = ChoiceRow

    /// The score of a run.
    public struct Result: Sendable, Equatable {
        /// How many questions were asked.
        public var questions: Int
        /// The share answered correctly, from 0 to 1.
        public var accuracy: Double
    }

    /// The answer letters, one per choice.
    public static let letters = ["A", "B", "C", "D"]

    /// The evaluation; it has no settings.
    public init() {}

    /// The prompt of one question, as Qwen's MMLU script writes a test item.
    public static func prompt(_ item: Item) -> String {
        var text = "Question: \(item.question)\n"
        for (letter, choice) in zip(letters, item.choices) { text += "\(letter). \(choice)\n" }
        return text + "Answer:"
    }

    /// Asks every item, one forward pass each; `progress` gets (items done, items).
    /// Throws ``EvaluationError`` for an item without four choices and a letter answer, or a
    /// vocabulary in which the letters are not single tokens.
    public func run(_ zoo: LoadedModel, items: [Item], progress: EvaluationProgress = { _, _ in }) throws -> Result {
        // Qwen's vocabulary has " A"…" D" as single tokens; a small vocabulary may only have "A"…"D",
        // in which case the prompt ends with the space instead.
        let spaced = Self.letters.map { zoo.tokenizer.encode(" " + $0) }
        let bare = Self.letters.map { zoo.tokenizer.encode($0) }
        let letterIDs: [Int]
        let suffix: String
        if spaced.allSatisfy({ $0.count == 1 }) {
            (letterIDs, suffix) = (spaced.map { $0[0] }, "")
        } else if bare.allSatisfy({ $0.count == 1 }) {
            (letterIDs, suffix) = (bare.map { $0[0] }, " ")
        } else {
            throw EvaluationError("the letters A–D are not single tokens in this vocabulary (\(spaced))")
        }
        var correct = 0
        for (index, item) in items.enumerated() {
            guard item.choices.count == 4, let gold = Self.letters.firstIndex(of: item.answer) else {
                throw EvaluationError("item \(index + 1): needs 4 choices and an answer A–D")
            }
            let ids = zoo.tokenizer.encode(Self.prompt(item) + suffix)
            let logits = try zoo.model.forward(ids, cache: zoo.model.makeCache(capacity: ids.count), logits: .last).last
            let scores = letterIDs.map { logits[logits.startIndex + $0] }
            let best = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
            if best == gold { correct += 1 }
            progress(index + 1, items.count)
        }
        return Result(questions: items.count, accuracy: Double(correct) / Double(items.count))
    }
}
