import Foundation

/// QwenLM/Qwen `eval/evaluate_chat_ceval.py` (chat models, zero-shot), restated: the question and choices as
/// the user turn, and the letter read from a Chinese reply.
public enum QwenChatCEval {
    /// `format_example`: the question, a blank line, and the four choices.
    public static func prompt(_ row: ChoiceRow) -> String {
        var text = row.question + "\n\n"
        for (letter, choice) in zip(QwenMultipleChoice.letters, row.choices) { text += "\(letter). \(choice)\n" }
        return text
    }

    /// `extract_answer`: the question's last clause is replaced by `答案是` (its text after the last `_`
    /// removed) when longer than four characters, each choice's text (longest first, a trailing `。` dropped)
    /// by its letter; then the first of four patterns that finds a letter decides. Nil where the script falls
    /// back to fuzzy matching (`thefuzz`), which is not reproduced.
    public static func answer(_ response: String, row: ChoiceRow) -> String? {
        var text = response
        let clause = PythonText.rstrip(row.question, ["。"]).components(separatedBy: "。").last!.components(separatedBy: "_")
        if PythonText.strip(clause[0]).unicodeScalars.count > 4 { text = replace(clause[0], with: "答案是", in: text) }
        if PythonText.strip(clause[clause.count - 1]).unicodeScalars.count > 4 { text = replace(clause[clause.count - 1], with: "", in: text) }
        for index in QwenMultipleChoice.longestFirst(row.choices) {
            text = replace(PythonText.rstrip(row.choices[index], ["。"]), with: QwenMultipleChoice.letters[index], in: text)
        }
        for pattern in patterns {
            if let letter = pattern.search(text)?[1] { return letter }
        }
        return nil
    }

    /// `str.replace(old, new)`; an empty `old` puts `new` between every two characters, as Python does.
    static func replace(_ old: String, with new: String, in text: String) -> String {
        if old.isEmpty { return new + text.unicodeScalars.map { String($0) + new }.joined() }
        return text.replacingOccurrences(of: old, with: new, options: .literal)
    }

    static let patterns = [
        PythonRegex(#"(?:(?:选|选择|选定)[：:]?\s*|(?:(?:答案|选项)(?![^ABCD]{0,10}?(?:不|非)[^ABCD]{0,10}?(?:是|选|为|：|:|】))[^ABCD]{0,10}?(?:是|选|为|：|:|】))[^ABCD]{0,10}?)(A|B|C|D)(?:选项)?(?:\)|。|\.|，|,|．|、|A|B|C|D|$|：|:|\)|）)"#),
        PythonRegex(#"(A|B|C|D)(?:选?项)?(?![^ABCD]{0,4}?(?:不|非)[^ABCD]{0,4}?(?:正确|对[的，。：]|符合))[^ABCD]{0,4}?(?:正确|对[的，。：]|符合)"#),
        PythonRegex(#"^[\(（]?(A|B|C|D)(?:。|\)|）|\.|，|,|．|：|:|$)"#),
        PythonRegex(#"(?<![a-zA-Z])(A|B|C|D)(?![a-zA-Z=])"#),
    ]
}
