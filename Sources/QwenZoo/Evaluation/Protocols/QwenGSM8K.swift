import Foundation
import QwenMath

/// QwenLM/Qwen `eval/evaluate_gsm8k.py` (base models, 8-shot), restated: its prompt, the cut of its
/// `decode`, and its answer checking, quirks included.
public enum QwenGSM8K {
    /// `doc_to_text`: `gsm8k_prompt.txt` + `"\nQuestion: " + question + "\nLet's think step by step\n"`.
    public static func prompt(question: String) -> String {
        GSM8KPrompt.text + "\nQuestion: " + question + "\nLet's think step by step\n"
    }

    /// The strings `decode` cuts the completion at, in its order.
    public static let cuts = ["<|endoftext|>", "\n\n\n", "\n\n", "Question:"]

    /// `decode`: the completion before `<|endoftext|>`, then before `\n\n\n`, `\n\n` and `Question:`.
    public static func cut(_ completion: String) -> String {
        cuts.reduce(completion) { PythonText.before($1, in: $0) }
    }

    /// `extract_answer`: `eval` of the last run of digits (`\d+`), so no sign or decimals, `20,800` reads
    /// as 800, and `007` is invalid (`eval` raises); nil for "[invalid]".
    public static func extract(_ completion: String) -> String? {
        guard let last = digitRuns.matches(completion).last?[0], case .int(let value)? = PythonNumber(last) else { return nil }
        return value
    }

    /// `extract_answer_hf` on the gold solution: `eval` of the first `#### N` with its commas removed;
    /// nil where the script would stop (no `####`, or a number `eval` rejects).
    public static func gold(_ solution: String) -> String? {
        goldNumber(solution)?.description
    }

    /// `is_correct`: the extracted integer equals the gold number (`72 == 72.0` holds, as in Python).
    /// False when no answer was extracted or the gold is unreadable.
    public static func isCorrect(_ completion: String, solution: String) -> Bool {
        isCorrect(answer: extract(completion), solution: solution)
    }

    /// `is_correct` for an answer already extracted (e.g. a majority vote).
    public static func isCorrect(answer: String?, solution: String) -> Bool {
        guard let gold = goldNumber(solution), let answer, let value = PythonNumber(answer) else { return false }
        return PythonNumber.pythonEqual(value, gold)
    }

    static func goldNumber(_ solution: String) -> PythonNumber? {
        guard let match = goldPattern.search(solution), let number = match[1] else { return nil }
        return PythonNumber(PythonText.strip(number).replacingOccurrences(of: ",", with: ""))
    }

    static let digitRuns = PythonRegex(#"\d+"#)
    static let goldPattern = PythonRegex(#"#### (\-?[0-9\.\,]+)"#)
}

/// QwenLM/Qwen `eval/evaluate_chat_gsm8k.py` (chat models, zero-shot), restated: the question is the
/// user turn, and the answer is the last number the reply writes.
public enum QwenChatGSM8K {
    /// `doc_to_text(doc, use_fewshot=False)`: the question itself, sent as the user turn.
    public static func prompt(question: String) -> String { question }

    /// `extract_answer`: the last match of `_PAT_LAST_DIGIT` with `,` and `+` removed and stripped
    /// (`1,234` → `1234`, `12,34` → `34`, `.5` → `.5`); nil when the text has no number.
    public static func extract(_ text: String) -> String? {
        guard let last = lastDigit.matches(text).last?[0] else { return nil }
        return PythonText.strip(last.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "+", with: ""))
    }

    /// `is_correct`: `math.isclose(eval(gold), eval(pred), rel_tol=0, abs_tol=1e-4)`, where gold is
    /// `extract_answer` of the whole gold solution (the number after `####` in GSM8K); false where `eval`
    /// raises or nothing was extracted.
    public static func isCorrect(_ completion: String, solution: String) -> Bool {
        isCorrect(answer: extract(completion), solution: solution)
    }

    /// `is_correct` for an answer already extracted (e.g. a majority vote).
    public static func isCorrect(answer: String?, solution: String) -> Bool {
        guard let gold = extract(solution).flatMap(PythonNumber.init)?.double,
              let predicted = answer.flatMap(PythonNumber.init)?.double else { return false }
        return gold == predicted || abs(gold - predicted) <= 1e-4
    }

    static let lastDigit = PythonRegex(#"([+-])?(?=([0-9]|\.[0-9]))(0|([1-9](\d{0,2}(,\d{3})*)|\d*))?(\.\d*)?(?=\D|$)"#)
}
