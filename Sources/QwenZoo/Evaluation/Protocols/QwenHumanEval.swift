import Foundation

/// QwenLM/Qwen `eval/evaluate_humaneval.py` (base models) and `evaluate_chat_humaneval.py` (chat models),
/// restated: what each sends the model and which code it keeps of the reply.
public enum QwenHumanEval {
    /// The strings `decode` of `evaluate_humaneval.py` cuts a completion at, in its order.
    public static let cuts = ["<|endoftext|>", "\n\n\n", "\n\n", "def "]

    /// `decode`: the completion of the prompt, up to the first blank line or `def `.
    public static func cut(_ completion: String) -> String {
        cuts.reduce(completion) { PythonText.before($1, in: $0) }
    }

    /// The chat prompt (the "humanevalpack prompt" of `evaluate_chat_humaneval.py`): the signature and
    /// the docstring's lines, stripped, then the original prompt. Nil when the prompt has no `def entry_point…:`
    /// line or no docstring, or an entry point that is no valid pattern (the script raises there).
    public static func chatPrompt(prompt: String, entryPoint: String) -> String? {
        guard let signaturePattern = PythonRegex(compiling: #"def\s+("# + entryPoint + #".*?):\s*\n"#),
              let signature = signaturePattern.search(prompt)?[1],
              let docstring = docstringPattern.search(prompt)?[1] else { return nil }
        let description = docstring.components(separatedBy: "\n").map(PythonText.strip).joined(separator: "\n")
        return "Write a Python function `\(signature)` to solve the following problem:\n\(description)\n\(prompt)"
    }

    /// `extract_code`: the body of the reply's function — from a fenced block defining `entry_point`, else
    /// from `def entry_point…:` to the first unindented line, else from any `def …:` — or, with no
    /// definition, the whole reply indented by four spaces. (An entry point that is no valid pattern skips
    /// the first two, where the script would raise.)
    public static func extractCode(_ text: String, entryPoint: String) -> String {
        let patterns = [
            PythonRegex(compiling: #"```(?:[Pp]ython\n)?.*?def\s+"# + entryPoint + #".*?:\n(.*?)\n```"#, dotAll: true),
            PythonRegex(compiling: #"def\s+"# + entryPoint + #".*?:\n(.*?)(?:\n(?!\n*(?:  |\t))|$)"#, dotAll: true),
            anyFunction,
        ].compactMap { $0 }
        for pattern in patterns {
            if let match = pattern.search(text) { return match[1] ?? "" }
        }
        return PythonText.indent(text, "    ")
    }

    static let docstringPattern = PythonRegex(#"(?:\"\"\"|''')(.*?)(?:\"\"\"|''')"#, dotAll: true)
    static let anyFunction = PythonRegex(#"def.*?:\n(.*?)(?:\n(?!\n*(?:  |\t))|$)"#, dotAll: true)
}
