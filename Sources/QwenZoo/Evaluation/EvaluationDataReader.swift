import Foundation

/// Reads the data files of `zoo eval`'s tasks.
public enum EvaluationDataReader {
    /// Reads GSM8K-style items (``MathEvaluation/Item``), the first `limit` if given.
    public static func math(_ url: URL, limit: Int? = nil) throws -> [MathEvaluation.Item] {
        try EvaluationData.read(MathEvaluation.Item.self, from: url, limit: limit)
    }

    /// Reads HumanEval items (``CodeEvaluation/Item``), the first `limit` if given.
    public static func code(_ url: URL, limit: Int? = nil) throws -> [CodeEvaluation.Item] {
        try EvaluationData.read(CodeEvaluation.Item.self, from: url, limit: limit)
    }

    /// Reads MMLU-style items (``ChoiceEvaluation/Item``), the first `limit` if given.
    public static func choice(_ url: URL, limit: Int? = nil) throws -> [ChoiceEvaluation.Item] {
        try EvaluationData.read(ChoiceEvaluation.Item.self, from: url, limit: limit)
    }

    /// Reads `{"messages": […]}` lines for the chat task.
    public static func chat(_ url: URL, limit: Int? = nil) throws -> [ChatEvaluation.Item] {
        try EvaluationData.read(ChatEvaluation.Item.self, from: url, limit: limit)
    }
}
