import ZooCore

/// Where a plain code completion ends: a list of stop strings (generation stops at, and the output is cut before, the
/// earliest occurrence of any of them), as a HumanEval/MBPP harness applies them. Kept as data.
///
/// The default is ``qwenHumanEval``, the rule of Qwen's own HumanEval harness (QwenLM/Qwen `eval/evaluate_humaneval.py`,
/// `decode`): the output is split at `<|endoftext|>`, then `\n\n\n`, then `\n\n`, then `def `, keeping the part before
/// each — which is the part before the earliest of the four. It is the rule behind Qwen's published base-model
/// HumanEval numbers and suits a prompt that ends inside a function (the body ends at the first blank line or the next
/// `def`). The Qwen2.5-Coder harness (evalplus) rules are here too, for prompts whose completions span blank lines.
public struct CompletionStopRule: Sendable, Equatable {
    public let name: String
    public let stopStrings: [String]
    /// evalplus replaces tabs in outputs by four spaces.
    public let replacesTabs: Bool

    public init(name: String, stopStrings: [String], replacesTabs: Bool = false) {
        self.name = name
        self.stopStrings = stopStrings
        self.replacesTabs = replacesTabs
    }

    /// QwenLM/Qwen `eval/evaluate_humaneval.py` (v1 base models).
    public static let qwenHumanEval = CompletionStopRule(
        name: "qwen-humaneval", stopStrings: ["<|endoftext|>", "\n\n\n", "\n\n", "def "])

    /// QwenLM/Qwen2.5-Coder `qwencoder-eval/base/benchmarks/evalplus/model.py`, HumanEval.
    public static let evalplusHumanEval = CompletionStopRule(
        name: "evalplus-humaneval",
        stopStrings: evalplusBase + ["\ndef ", "\nclass ", "\nimport ", "\nfrom ", "\nassert "], replacesTabs: true)

    /// The same harness, MBPP.
    public static let evalplusMBPP = CompletionStopRule(
        name: "evalplus-mbpp", stopStrings: evalplusBase + ["\n\"\"\"", "\nassert"], replacesTabs: true)

    /// No cut: the completion runs to `<|endoftext|>` or the token limit.
    public static let none = CompletionStopRule(name: "none", stopStrings: [])

    public static let all: [CompletionStopRule] = [qwenHumanEval, evalplusHumanEval, evalplusMBPP, none]

    private static let evalplusBase = ["<|endoftext|>", "<|endofmask|>", "</s>", "\nif __name__", "\ndef main(", "\nprint("]

    /// The completion cut before the earliest stop string (tabs replaced where the harness does).
    public func apply(to completion: String) -> String {
        let cut = cutAtFirst(of: stopStrings, in: completion)
        return replacesTabs ? cut.replacing("\t", with: "    ") : cut
    }
}
