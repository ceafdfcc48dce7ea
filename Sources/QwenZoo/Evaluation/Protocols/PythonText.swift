import Foundation

/// The few Python string and `re` operations Qwen's evaluation scripts use, with Python's semantics, so
/// the protocols built on them decide exactly as the scripts do.
enum PythonText {
    /// `s.split(separator)[0]`: the text before the first `separator` (all of it when absent).
    static func before(_ separator: String, in s: String) -> String {
        guard let range = s.range(of: separator, options: .literal) else { return s }
        return String(s[..<range.lowerBound])
    }

    /// Python's `str.isspace()` characters: Unicode White_Space plus the information separators U+1C–U+1F.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    /// `s.strip()`.
    static func strip(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// `s.rstrip(characters)`.
    static func rstrip(_ s: String, _ characters: Set<Unicode.Scalar>) -> String {
        var scalars = Array(s.unicodeScalars)
        while let last = scalars.last, characters.contains(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `s.splitlines(keepends=True)`: lines ended by \n, \r, \r\n, \v, \f, U+1C–1E, U+85, U+2028 or U+2029.
    static func splitLinesKeepingEnds(_ s: String) -> [String] {
        let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            current.append(scalars[i])
            if breaks.contains(scalars[i].value) {
                if scalars[i].value == 0x0D, i + 1 < scalars.count, scalars[i + 1].value == 0x0A {
                    current.append(scalars[i + 1])
                    i += 1
                }
                lines.append(String(current))
                current = String.UnicodeScalarView()
            }
            i += 1
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// `textwrap.indent(text, prefix)`: the prefix before every line that is not only whitespace.
    static func indent(_ text: String, _ prefix: String) -> String {
        splitLinesKeepingEnds(text).map { strip($0).isEmpty ? $0 : prefix + $0 }.joined()
    }
}

/// A compiled pattern with Python `re` semantics for the constructs Qwen's scripts use: only `\n` ends a
/// line (for `.`, `^` and `$`), and `\b`, `\d`, `\w` are Unicode-aware as in Python 3.
struct PythonRegex: @unchecked Sendable {
    private let regex: NSRegularExpression

    /// Compiles `pattern`, one of the scripts' own; `dotAll` is `re.DOTALL`, `ignoreCase` is `re.IGNORECASE`.
    init(_ pattern: String, dotAll: Bool = false, ignoreCase: Bool = false) {
        // A fixed pattern that does not compile is a programming error.
        self = Self(compiling: pattern, dotAll: dotAll, ignoreCase: ignoreCase)!
    }

    /// Compiles a pattern built from data (the scripts interpolate an entry point unescaped); nil where
    /// it does not compile, where Python's `re` would raise.
    init?(compiling pattern: String, dotAll: Bool = false, ignoreCase: Bool = false) {
        var options: NSRegularExpression.Options = [.useUnixLineSeparators]
        if dotAll { options.insert(.dotMatchesLineSeparators) }
        if ignoreCase { options.insert(.caseInsensitive) }
        guard let regex = try? NSRegularExpression(pattern: pattern, options: options) else { return nil }
        self.regex = regex
    }

    /// `re.search`: the first match's groups (`nil` for a group that did not take part), or nil.
    func search(_ s: String) -> [String?]? {
        let ns = s as NSString
        guard let match = regex.firstMatch(in: s, range: NSRange(location: 0, length: ns.length)) else { return nil }
        return Self.groups(match, ns)
    }

    /// `re.finditer`: every match's groups, left to right.
    func matches(_ s: String) -> [[String?]] {
        let ns = s as NSString
        return regex.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { Self.groups($0, ns) }
    }

    /// `pattern.sub(literal, s)` with a replacement that holds no backslashes or group references.
    func replace(in s: String, with literal: String) -> String {
        let ns = s as NSString
        return regex.stringByReplacingMatches(
            in: s, range: NSRange(location: 0, length: ns.length), withTemplate: NSRegularExpression.escapedTemplate(for: literal))
    }

    private static func groups(_ match: NSTextCheckingResult, _ ns: NSString) -> [String?] {
        (0..<match.numberOfRanges).map { i in
            let range = match.range(at: i)
            return range.location == NSNotFound ? nil : ns.substring(with: range)
        }
    }
}
