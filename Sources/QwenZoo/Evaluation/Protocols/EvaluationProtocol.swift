import Foundation

/// A named way of prompting for a benchmark and reading the answer, reproducing one of Qwen's published
/// evaluation scripts (`--protocol NAME`).
public enum EvaluationProtocol: String, Sendable, CaseIterable {
    /// QwenLM/Qwen `eval/evaluate_gsm8k.py`: base model, 8-shot, greedy; the last integer of the cut completion.
    case qwenGSM8K = "qwen-gsm8k"
    /// `eval/evaluate_chat_gsm8k.py`: chat model, zero-shot, greedy; the last number of the reply, within 1e-4.
    case qwenChatGSM8K = "qwen-chat-gsm8k"
    /// `eval/evaluate_humaneval.py`: base model continues the prompt, greedy, cut at a blank line or `def `.
    case qwenHumanEval = "qwen-humaneval"
    /// `eval/evaluate_chat_humaneval.py`: chat model asked to write the function; `extract_code` keeps its body.
    case qwenChatHumanEval = "qwen-chat-humaneval"
    /// `eval/evaluate_mmlu.py`: 5-shot from the dev split; the letter whose token (" A"…" D") scores highest.
    case qwenMMLU = "qwen-mmlu"
    /// `eval/evaluate_chat_mmlu.py`: chat model, zero-shot; the letter read from the reply.
    case qwenChatMMLU = "qwen-chat-mmlu"
    /// `eval/evaluate_ceval.py`: 5-shot Chinese prompt; the letter whose token ("A"…"D") scores highest.
    case qwenCEval = "qwen-ceval"
    /// `eval/evaluate_chat_ceval.py`: chat model, zero-shot; the letter read from the (Chinese) reply.
    case qwenChatCEval = "qwen-chat-ceval"
    /// `eval/evaluate_cmmlu.py`: as `qwen-ceval`, on CMMLU.
    case qwenCMMLU = "qwen-cmmlu"
    /// QwenLM/Qwen2.5-Math: the manifest's math variant prompts, the last `\boxed{}` answer is normalised and
    /// compared as `math_equal`'s string and numeric branches do.
    case qwen25Math = "qwen2.5-math"

    /// What kind of item the protocol asks.
    public enum Kind: Sendable {
        /// A word problem with a final answer (GSM8K, MATH).
        case problem
        /// A function to complete and test (HumanEval).
        case code
        /// A four-way multiple-choice question (MMLU, C-Eval, CMMLU).
        case choice
    }

    /// The kind of item the protocol asks.
    public var kind: Kind {
        switch self {
        case .qwenGSM8K, .qwenChatGSM8K, .qwen25Math: .problem
        case .qwenHumanEval, .qwenChatHumanEval: .code
        case .qwenMMLU, .qwenChatMMLU, .qwenCEval, .qwenChatCEval, .qwenCMMLU: .choice
        }
    }

    /// Whether the prompt is a ChatML user turn (Qwen's `model.chat` with the default system prompt).
    public var isChat: Bool { [.qwenChatGSM8K, .qwenChatHumanEval, .qwenChatMMLU, .qwenChatCEval].contains(self) }

    /// Whether the answer is chosen by the letters' scores instead of generated.
    public var scoresLetters: Bool { [.qwenMMLU, .qwenCEval, .qwenCMMLU].contains(self) }

    /// Whether the script's headline figure is the mean of the per-subject accuracies (`cal_ceval`,
    /// `cal_cmmlu`) rather than the share of all questions answered correctly (`cal_mmlu`, GSM8K, HumanEval).
    public var averagesSubjects: Bool { [.qwenCEval, .qwenChatCEval, .qwenCMMLU].contains(self) }

    /// The prompt style of a letter-scoring protocol.
    var choiceStyle: QwenMultipleChoice.Style { self == .qwenMMLU ? .mmlu : .chinese }

    /// The protocol Qwen's report uses for `format` with a manifest of `variant`: chat protocols for chat
    /// variants, Qwen2.5-Math's for math variants, the base-model scripts otherwise.
    public static func standard(for format: BenchmarkFormat, variant: String) -> EvaluationProtocol? {
        let chat = variant == "chat"
        switch format {
        case .gsm8k, .zoo: return variant == "math" ? .qwen25Math : chat ? .qwenChatGSM8K : .qwenGSM8K
        case .math: return .qwen25Math
        case .humaneval: return chat ? .qwenChatHumanEval : .qwenHumanEval
        case .mbpp: return nil
        case .mmlu, .mmluCSV: return chat ? .qwenChatMMLU : .qwenMMLU
        case .ceval: return chat ? .qwenChatCEval : .qwenCEval
        case .cmmlu: return .qwenCMMLU
        }
    }
}
