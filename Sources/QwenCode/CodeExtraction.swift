import Foundation

/// Getting the code out of a chat model's answer.
public enum CodeExtraction {
    /// The code of a chat answer: the first ```` ```python ```` block (the first fenced block of any language if none
    /// is tagged python; an unclosed fence runs to the end), else the first bare `def …:` with its indented body (the
    /// harness's pattern, but keeping the `def` line), else the whole answer.
    public static func codeBlock(in text: String) -> String {
        let fences = matches(#"```[ \t]*([A-Za-z0-9_+#.\-]*)[^\n]*\n(.*?)(?:```|\z)"#, in: text)
        let python = fences.first { ["python", "py", "python3"].contains($0[1]?.lowercased() ?? "") }
        if let block = python ?? fences.first, var code = block[2] {
            if code.hasSuffix("\n") { code.removeLast() }
            return code
        }
        if let def = matches(#"def.*?:\n.*?(?=\n(?!\n*(?:  |\t))|$)"#, in: text).first, let code = def[0] {
            return code
        }
        return text
    }

    /// The function body exactly as Qwen's chat HumanEval harness extracts it (QwenLM/Qwen
    /// `eval/evaluate_chat_humaneval.py`, `extract_code`): a fenced block holding `def {entry_point}…:`, else a bare
    /// `def {entry_point}…:`, else any `def …:` — the body after the signature line — else the whole answer indented
    /// by four spaces (`textwrap.indent`).
    public static func humanEvalBody(in text: String, entryPoint: String) -> String {
        let name = NSRegularExpression.escapedPattern(for: entryPoint)
        let patterns = [
            #"```(?:[Pp]ython\n)?.*?def\s+"# + name + #".*?:\n(.*?)\n```"#,
            #"def\s+"# + name + #".*?:\n(.*?)(?:\n(?!\n*(?:  |\t))|$)"#,
            #"def.*?:\n(.*?)(?:\n(?!\n*(?:  |\t))|$)"#,
        ]
        for pattern in patterns {
            if let match = matches(pattern, in: text, first: true).first { return match[1] ?? "" }
        }
        return textwrapIndent(text, "    ")
    }

    /// Python's `textwrap.indent`: the prefix goes before every line that is not whitespace only.
    static func textwrapIndent(_ text: String, _ prefix: String) -> String {
        var out = ""
        var line = ""
        func flush() {
            out += line.allSatisfy(\.isWhitespace) ? line : prefix + line
            line = ""
        }
        for ch in text {
            line.append(ch)
            if ch == "\n" || ch == "\r\n" { flush() }
        }
        if !line.isEmpty { flush() }
        return out
    }

    /// Every match's groups (0 = whole match), with `.` matching newlines as Python's `re.DOTALL`.
    static func matches(_ pattern: String, in text: String, first: Bool = false) -> [[String?]] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return [] }
        let ns = text as NSString
        let found = first
            ? regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)).map { [$0] } ?? []
            : regex.matches(in: text, range: NSRange(location: 0, length: ns.length))
        return found.map { m in
            (0..<m.numberOfRanges).map { i in
                let r = m.range(at: i)
                return r.location == NSNotFound ? nil : ns.substring(with: r)
            }
        }
    }
}
