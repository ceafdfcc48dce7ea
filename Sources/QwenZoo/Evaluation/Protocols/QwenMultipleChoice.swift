import Foundation

/// One multiple-choice question as Qwen's MMLU, C-Eval and CMMLU scripts read a CSV row.
public struct ChoiceRow: Sendable, Equatable, Codable {
    /// The question.
    public var question: String
    /// The texts of choices A, B, C and D.
    public var choices: [String]
    /// The correct letter, `A` to `D`.
    public var answer: String

    /// A row with four choices.
    public init(question: String, choices: [String], answer: String) {
        self.question = question
        self.choices = choices
        self.answer = answer
    }
}

/// The multiple-choice protocols of QwenLM/Qwen `eval/`, restated: the 5-shot prompts of
/// `evaluate_mmlu.py`, `evaluate_ceval.py` and `evaluate_cmmlu.py` (the answer is the letter whose token
/// scores highest after the prompt), and the zero-shot prompt and reply reading of `evaluate_chat_mmlu.py`.
public enum QwenMultipleChoice {
    /// The letters, in the scripts' `choices` order.
    public static let letters = ["A", "B", "C", "D"]

    /// The prompt wording of a base-model script.
    public enum Style: Sendable {
        /// `evaluate_mmlu.py`: a subject header, `Question: …`, `Answer:`; the letters scored are " A"…" D".
        case mmlu
        /// `evaluate_ceval.py` and `evaluate_cmmlu.py`: `问题：…`, `答案：`; the letters scored are "A"…"D".
        case chinese

        /// The strings whose single tokens are compared after the prompt.
        public var scoredLetters: [String] { self == .mmlu ? letters.map { " " + $0 } : letters }
    }

    /// `format_example(line, include_answer)` of the style's script.
    public static func example(_ row: ChoiceRow, style: Style, includeAnswer: Bool) -> String {
        let (question, answer) = style == .mmlu ? ("Question: ", "\nAnswer:") : ("问题：", "\n答案：")
        var text = question + row.question
        for (letter, choice) in zip(letters, row.choices) { text += "\n\(letter). \(choice)" }
        if includeAnswer {
            text += answer + (style == .mmlu ? " " : "") + row.answer + "\n\n"
        } else {
            text += answer
        }
        return text
    }

    /// `generate_few_shot_prompt(k, subject, dev_df)` + `format_example(row, include_answer=False)`: the first
    /// `k` dev rows with their answers (all when k is -1), then the question. MMLU starts with
    /// `The following are multiple choice questions (with answers) about {subject with spaces}.\n\n`.
    public static func prompt(_ row: ChoiceRow, dev: [ChoiceRow], k: Int = 5, subject: String, style: Style) -> String {
        var text = ""
        if style == .mmlu {
            let words = subject.components(separatedBy: "_").reduce("") { $0 + " " + $1 }
            text = "The following are multiple choice questions (with answers) about \(PythonText.strip(words)).\n\n"
        }
        for shot in dev.prefix(k == -1 ? dev.count : k) { text += example(shot, style: style, includeAnswer: true) }
        return text + example(row, style: style, includeAnswer: false)
    }

    /// The longest prompt `evaluate_mmlu.py` feeds (`--max-seq-len` 2048): longer prompts keep their last
    /// 2047 tokens.
    public static let mmluMaxSequenceLength = 2048

    /// `evaluate_chat_mmlu.py` `format_example`: the instruction, the question and the four choices.
    public static func chatPrompt(_ row: ChoiceRow) -> String {
        var text = "The following is a multiple-choice question. Please choose the most suitable one among A, B, C and D as the answer to this question.\n\n"
            + row.question + "\n"
        for (letter, choice) in zip(letters, row.choices) { text += "\(letter). \(choice)\n" }
        return text
    }

    /// `evaluate_chat_mmlu.py` `extract_answer`: each choice's text (longest first, case-insensitive, a
    /// trailing `.` dropped) becomes its letter, then the first of four patterns that finds a letter
    /// decides. Nil where the script falls back to fuzzy matching (`thefuzz`), which is not reproduced.
    public static func chatAnswer(_ response: String, row: ChoiceRow) -> String? {
        var text = response
        for index in longestFirst(row.choices) {
            let choice = PythonText.rstrip(row.choices[index], ["."])
            text = replaceIgnoringCase(choice, with: letters[index], in: text)
        }
        for pattern in choicePatterns {
            if let letter = pattern.search(text)?[1] { return letter }
        }
        return nil
    }

    /// The choices' indices as `sorted(…, key=lambda x: len(x[1]), reverse=True)` orders them: longest first
    /// (in code points), ties in A–D order (Python's sort is stable).
    static func longestFirst(_ choices: [String]) -> [Int] {
        choices.indices.sorted {
            let (a, b) = (choices[$0].unicodeScalars.count, choices[$1].unicodeScalars.count)
            return a != b ? a > b : $0 < $1
        }
    }

    /// `re.compile(re.escape(target), re.IGNORECASE).sub(letter, text)`; an empty target inserts the letter
    /// between every two characters, as Python's empty pattern does.
    static func replaceIgnoringCase(_ target: String, with letter: String, in text: String) -> String {
        if target.isEmpty {
            return letter + text.unicodeScalars.map { String($0) + letter }.joined()
        }
        return PythonRegex(NSRegularExpression.escapedPattern(for: target), ignoreCase: true).replace(in: text, with: letter)
    }

    static let choicePatterns = [
        PythonRegex(#"(?:(?:[Cc]hoose)|(?:(?:[Aa]nswer|[Cc]hoice)(?![^ABCD]{0,20}?(?:n't|not))[^ABCD]{0,10}?\b(?:|is|:|be))\b)[^ABCD]{0,20}?\b(A|B|C|D)\b"#),
        PythonRegex(#"\b(A|B|C|D)\b(?![^ABCD]{0,8}?(?:n't|not)[^ABCD]{0,5}?(?:correct|right))[^ABCD]{0,10}?\b(?:correct|right)\b"#),
        PythonRegex(#"^(A|B|C|D)(?:\.|,|:|$)"#),
        PythonRegex(#"(?<![a-zA-Z])(A|B|C|D)(?![a-zA-Z=])"#),
    ]
}
