import Foundation

/// Final-answer extraction from a worked solution.
public enum AnswerExtraction {
    /// The answer text as the solution states it, before cleaning — QwenLM/Qwen2.5-Math `evaluation/parser.py`
    /// `extract_answer` (for MATH-style data), in its priority order:
    /// 1. Minerva's `final answer is $…$. I hope`;
    /// 2. if "boxed" occurs, what follows the **last** "boxed": a brace-balanced `{…}` (nested braces kept; an
    ///    unclosed one runs to the end), or without a brace the text up to the first `$` (`\boxed 5` → `5`);
    /// 3. the text after the last `he answer is` ("The answer is" / "the answer is");
    /// 4. the text after the last `final answer is`;
    /// 5. the first paragraph after the first `答案是`;
    /// 6. the last number (`-?\d*\.?\d+`) after deleting every comma.
    /// `nil` when none applies (or "boxed" ends the text).
    public static func rawAnswer(in solution: String) -> String? {
        let text = solution.pyReplace("\u{043a}\u{0438}", with: "")
        if text.contains("final answer is $"), text.contains("$. I hope") {
            let after = text.components(separatedBy: "final answer is $").dropFirst().joined(separator: "final answer is $")
            return pythonStrip(after.components(separatedBy: "$. I hope")[0])
        }
        if text.contains("boxed") {
            let after = Array(text.components(separatedBy: "boxed").last!.unicodeScalars)
            guard let first = after.first else { return nil }
            if first == "{" {
                var depth = 1
                var answer = String.UnicodeScalarView()
                for c in after.dropFirst() {
                    if c == "{" { depth += 1 } else if c == "}" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    answer.append(c)
                }
                return String(answer)
            }
            return pythonStrip(String(String.UnicodeScalarView(after)).components(separatedBy: "$")[0])
        }
        if text.contains("he answer is") {
            return pythonStrip(text.components(separatedBy: "he answer is").last!)
        }
        if text.contains("final answer is") {
            return pythonStrip(text.components(separatedBy: "final answer is").last!)
        }
        if text.contains("答案是") {
            let after = text.components(separatedBy: "答案是")[1]
            return pythonStrip(pythonStrip(after).components(separatedBy: "\n\n")[0])
        }
        return Regex.findAll(#"-?\d*\.?\d+"#, text.pyReplace(",", with: "")).last
    }

    /// `extract_answer(pred_str, "math")`: the raw answer with line breaks (and the spaces after them) removed, one
    /// leading `:` and one trailing `.` and `/` dropped, then ``MathNormalization/stripString(_:skipUnit:)``.
    /// Empty when nothing was found.
    public static func normalizedAnswer(in solution: String) -> String {
        guard let raw = rawAnswer(in: solution) else { return "" }
        return normalize(raw)
    }

    /// The cleaning and `strip_string` that `extract_answer` applies to a raw answer.
    public static func normalize(_ raw: String) -> String {
        var pred = Regex.sub(#"\n\s*"#, "", raw)
        if pred.hasPrefix(":") { pred.removeFirst() }
        if pred.hasSuffix(".") { pred.removeLast() }
        if pred.hasSuffix("/") { pred.removeLast() }
        return MathNormalization.stripString(pred)
    }

    // MARK: Qwen v1 GSM8K (base, few-shot)

    /// What QwenLM/Qwen `eval/evaluate_gsm8k.py` `decode` keeps of a completion: the part before the first of
    /// `<|endoftext|>`, `\n\n\n`, `\n\n`, `Question:`.
    public static let gsm8kStopStrings = ["<|endoftext|>", "\n\n\n", "\n\n", "Question:"]

    public static func gsm8kCut(_ completion: String) -> String {
        var text = completion
        for stop in gsm8kStopStrings { text = text.components(separatedBy: stop)[0] }
        return text
    }

    /// `extract_answer` of `evaluate_gsm8k.py`: the last run of digits (`\d+`: no sign, no decimals, and commas split
    /// numbers: "20,800" → 800), as an integer (leading zeros dropped). `nil` when there is no digit. (The harness
    /// `eval`s the digits, so "007" is a SyntaxError there and scores as invalid; here it is 7.)
    public static func gsm8kV1Answer(in completion: String) -> String? {
        guard let digits = Regex.findAll(#"\d+"#, completion).last else { return nil }
        return MathNormalization.convertWordNumber(digits)
    }

    // MARK: Majority vote

    /// `Counter(answers).most_common(1)` as QwenLM/Qwen2.5-Math `evaluation/rm_maj_eval.py` `group_pred` uses it:
    /// the most frequent answer, ties going to the one encountered first. Returns the index of that answer's first
    /// occurrence and its count; `nil` for no answers.
    public static func majority(_ answers: [String]) -> (index: Int, count: Int)? {
        var counts: [String: Int] = [:]
        var firstIndex: [String: Int] = [:]
        for (i, a) in answers.enumerated() {
            counts[a, default: 0] += 1
            if firstIndex[a] == nil { firstIndex[a] = i }
        }
        var best: (index: Int, count: Int)?
        for (i, a) in answers.enumerated() where firstIndex[a] == i {
            if best == nil || counts[a]! > best!.count { best = (i, counts[a]!) }
        }
        return best
    }
}
