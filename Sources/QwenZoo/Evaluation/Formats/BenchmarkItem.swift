import Foundation

/// One item of a benchmark, as read from any of the published formats.
public struct BenchmarkItem: Sendable {
    /// What the item asks.
    public enum Content: Sendable {
        /// A word problem: the question, the gold solution as published (GSM8K's worked answer, MATH's
        /// solution) and the gold final answer read from it.
        case problem(question: String, solution: String, gold: String)
        /// A programming problem: the prompt the model continues, and the Python that checks the completed
        /// program (`test`; for HumanEval it defines `check` and is followed by `check(entryPoint)`).
        case code(prompt: String, entryPoint: String?, test: String)
        /// A four-way multiple-choice question.
        case choice(ChoiceRow)
    }

    /// The item's id: the dataset's own (`task_id`, `id`) or `file:line`.
    public var id: String
    /// The subject (MMLU, C-Eval, CMMLU) or problem type (MATH), for the per-subject table.
    public var subject: String?
    /// MATH's difficulty, e.g. `Level 5`.
    public var level: String?
    /// The question and its gold answer.
    public var content: Content

    /// An item with the given fields.
    public init(id: String, subject: String? = nil, level: String? = nil, content: Content) {
        self.id = id
        self.subject = subject
        self.level = level
        self.content = content
    }
}
