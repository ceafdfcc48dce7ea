/// Regular expressions as grammars: the output must match the whole expression (anchors are
/// implicit, as Python's `re.fullmatch`).
///
/// The subset, in Python's `re` syntax:
/// - literal characters and escapes `\n \t \r \f \v \0 \xHH \uHHHH` and escaped punctuation (`\.`, `\(`…);
/// - classes `[a-z_]`, `[^"]`, with `\d \w \s` (and `\D \W \S`) inside or outside classes;
/// - `.` (any character but a newline);
/// - groups `( … )`, `(?: … )`, named groups `(?P<name> … )`, alternation `|`;
/// - quantifiers `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` (a lazy `?` after them is accepted);
/// - `^` at the very start and `$` at the very end.
///
/// Back-references, look-around, word boundaries and flags are errors naming the column.
/// `\d`, `\w` and `\s` generate ASCII characters only, which Python's Unicode-aware classes
/// also match; `\D`, `\W`, `\S` and classes negating them generate printable ASCII only.
public struct RegexGrammar {
    /// Where the expression will be written: plain text, or the inside of a JSON string (so `"`,
    /// `\` and control characters are written as JSON escapes and never generated raw).
    public enum Context: Sendable { case text, jsonString }

    private let scalars: [Unicode.Scalar]
    private let context: Context
    private let source: String
    private var i = 0
    private var depth = 0

    /// The grammar expression for `pattern`; errors name `source` and the 1-based column.
    public static func expression(_ pattern: String, context: Context = .text, source: String = "regex") throws -> GrammarExpression {
        var parser = RegexGrammar(scalars: Array(pattern.unicodeScalars), context: context, source: source)
        if parser.current == "^" { parser.i += 1 }
        let e = try parser.alternation()
        if parser.current == "$", parser.i == parser.scalars.count - 1 { parser.i += 1 }
        if let c = parser.current {
            throw parser.fail(c == ")" ? "unmatched \")\"" : "unexpected \"\(c)\"")
        }
        return e
    }

    /// A complete grammar whose `root` matches `pattern`.
    public static func grammar(_ pattern: String, source: String = "regex") throws -> Grammar {
        try Grammar(rules: [GrammarRuleDefinition(name: "root", body: expression(pattern, source: source), location: "")], source: source)
    }

    private init(scalars: [Unicode.Scalar], context: Context, source: String) {
        self.scalars = scalars
        self.context = context
        self.source = source
    }

    private var current: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    private func fail(_ reason: String, at index: Int? = nil) -> GrammarError {
        GrammarError(source: source, location: "column \((index ?? i) + 1)", reason: reason)
    }

    private mutating func alternation() throws -> GrammarExpression {
        var options = [try sequence()]
        while current == "|" {
            i += 1
            options.append(try sequence())
        }
        return .either(options)
    }

    private mutating func sequence() throws -> GrammarExpression {
        var items: [GrammarExpression] = []
        while let c = current, c != "|", c != ")" {
            if c == "$" && i == scalars.count - 1 { break }
            var item = try atom()
            try quantifiers(&item)
            items.append(item)
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func quantifiers(_ item: inout GrammarExpression) throws {
        guard let c = current else { return }
        switch c {
        case "*": i += 1; item = item.times(0, nil)
        case "+": i += 1; item = item.times(1, nil)
        case "?": i += 1; item = item.times(0, 1)
        case "{":
            guard let (low, high) = try braces() else { return }
            item = item.times(low, high)
        default: return
        }
        if current == "?" { i += 1 }  // lazy: the same language
        if let n = current, n == "*" || n == "+" || n == "?" { throw fail("multiple repeat (a quantifier after a quantifier)") }
    }

    /// `{m}`, `{m,}`, `{m,n}`, `{,n}`; `nil` if the brace is a literal (as Python reads `{x`).
    private mutating func braces() throws -> (Int, Int?)? {
        let start = i
        var j = i + 1
        func number() -> Int? {
            let s = j
            while j < scalars.count, scalars[j].properties.numericType != nil, scalars[j].isASCII { j += 1 }
            return j > s ? Int(String(String.UnicodeScalarView(scalars[s..<j]))) : nil
        }
        let low = number()
        var high = low
        if j < scalars.count, scalars[j] == "," {
            j += 1
            high = number()
        }
        guard j < scalars.count, scalars[j] == "}", low != nil || high != nil else { return nil }
        i = j + 1
        let l = low ?? 0
        if let h = high, h < l { throw fail("the repetition has its maximum below its minimum", at: start) }
        if max(l, high ?? 0) > GBNFParser.maxRepetition { throw fail("repetition counts above \(GBNFParser.maxRepetition) are not supported", at: start) }
        return (l, high)
    }

    private mutating func atom() throws -> GrammarExpression {
        let start = i
        guard let c = current else { throw fail("unexpected end") }
        switch c {
        case "(":
            i += 1
            depth += 1
            defer { depth -= 1 }
            guard depth <= 100 else { throw fail("groups nest more than 100 deep") }
            if current == "?" {
                if i + 1 < scalars.count, scalars[i + 1] == ":" {
                    i += 2
                } else if i + 2 < scalars.count, scalars[i + 1] == "P", scalars[i + 2] == "<" {
                    i += 3
                    while let d = current, d != ">" { i += 1 }
                    guard current == ">" else { throw fail("unterminated group name", at: start) }
                    i += 1
                } else {
                    throw fail("look-around, flags and other (?…) groups are not supported", at: start)
                }
            }
            let e = try alternation()
            guard current == ")" else { throw fail("missing \")\" for the group opened at column \(start + 1)") }
            i += 1
            return e
        case "[":
            return try characterClass()
        case ".":
            i += 1
            return characters([10...10], negated: true)
        case "\\":
            return try escape(inClass: false).expression(self)
        case "^", "$":
            throw fail("anchors are only supported at the very start (^) and end ($)")
        case "*", "+", "?":
            throw fail("nothing to repeat")
        case ")":
            throw fail("unmatched \")\"")
        default:
            i += 1
            return literal(c.value)
        }
    }

    /// What an escape stands for.
    private enum Escaped {
        case character(UInt32)
        case classRanges([ClosedRange<UInt32>], negated: Bool)

        func expression(_ parser: RegexGrammar) -> GrammarExpression {
            switch self {
            case .character(let v): return parser.literal(v)
            case .classRanges(let r, false): return parser.characters(r, negated: false)
            case .classRanges(let r, true):
                // Python's \D, \W, \S exclude Unicode digits, letters and spaces: printable ASCII only.
                return parser.characters(UTF8Ranges.complement(r).flatMap(RegexGrammar.asciiOnly), negated: false)
            }
        }
    }

    static let digitRanges: [ClosedRange<UInt32>] = [48...57]
    static let wordRanges: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    static let spaceRanges: [ClosedRange<UInt32>] = [9...13, 32...32]

    private mutating func escape(inClass: Bool) throws -> Escaped {
        let start = i
        i += 1
        guard let e = current else { throw fail("a pattern may not end with \"\\\"", at: start) }
        i += 1
        switch e {
        case "d": return .classRanges(Self.digitRanges, negated: false)
        case "D": return .classRanges(Self.digitRanges, negated: true)
        case "w": return .classRanges(Self.wordRanges, negated: false)
        case "W": return .classRanges(Self.wordRanges, negated: true)
        case "s": return .classRanges(Self.spaceRanges, negated: false)
        case "S": return .classRanges(Self.spaceRanges, negated: true)
        case "n": return .character(10)
        case "t": return .character(9)
        case "r": return .character(13)
        case "f": return .character(12)
        case "v": return .character(11)
        case "0": return .character(0)
        case "x", "u":
            let n = e == "x" ? 2 : 4
            guard i + n <= scalars.count, let v = UInt32(String(String.UnicodeScalarView(scalars[i..<(i + n)])), radix: 16) else {
                throw fail("expected \(n) hexadecimal digits after \\\(e)", at: start)
            }
            i += n
            guard Unicode.Scalar(v) != nil else { throw fail("\\\(e) escape is not a character", at: start) }
            return .character(v)
        case "b" where inClass: return .character(8)
        case "b", "B", "A", "Z", "z", "G":
            throw fail("\\\(e) (an anchor or word boundary) is not supported", at: start)
        default:
            if e.properties.numericType != nil { throw fail("back-references are not supported", at: start) }
            if e.isASCII, e.properties.isAlphabetic { throw fail("unknown escape \\\(e)", at: start) }
            return .character(e.value)
        }
    }

    private mutating func characterClass() throws -> GrammarExpression {
        let start = i
        i += 1
        var negated = false
        if current == "^" { negated = true; i += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        var shorthands = false
        var first = true
        while true {
            guard let c = current else { throw fail("unterminated character class", at: start) }
            if c == "]" && !first { i += 1; break }
            first = false
            let low: UInt32
            if c == "\\" {
                switch try escape(inClass: true) {
                case .character(let v): low = v
                case .classRanges(let r, let neg):
                    shorthands = true
                    if neg {
                        ranges += UTF8Ranges.complement(r).flatMap(Self.asciiOnly)
                    } else {
                        ranges += r
                    }
                    continue
                }
            } else {
                i += 1
                low = c.value
            }
            if current == "-", i + 1 < scalars.count, scalars[i + 1] != "]" {
                i += 1
                let highAt = i
                var high: UInt32
                if current == "\\" {
                    guard case .character(let v) = try escape(inClass: true) else { throw fail("a class shorthand cannot end a range", at: highAt) }
                    high = v
                } else {
                    high = current!.value
                    i += 1
                }
                guard low <= high else { throw fail("the range is reversed", at: highAt) }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        if negated && shorthands {
            // Python's classes are Unicode-aware: generate printable ASCII only.
            return characters(UTF8Ranges.complement(ranges).flatMap(Self.asciiOnly), negated: false)
        }
        return characters(ranges, negated: negated)
    }

    fileprivate static func asciiOnly(_ r: ClosedRange<UInt32>) -> [ClosedRange<UInt32>] {
        let lo = max(r.lowerBound, 32), hi = min(r.upperBound, 126)
        return lo <= hi ? [lo...hi] : []
    }

    /// A class, minus what the context cannot hold raw (a class of nothing else becomes escapes).
    fileprivate func characters(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> GrammarExpression {
        let positive = negated ? UTF8Ranges.complement(ranges) : UTF8Ranges.merged(ranges)
        guard context == .jsonString else { return .characterClass(ranges: positive, negated: false) }
        let excluded: [ClosedRange<UInt32>] = [0...0x1F, 0x22...0x22, 0x5C...0x5C]
        let raw = UTF8Ranges.complement(UTF8Ranges.merged(UTF8Ranges.complement(positive) + excluded))
        if !raw.isEmpty { return .characterClass(ranges: raw, negated: false) }
        var escaped: [GrammarExpression] = []
        for r in positive where r.lowerBound <= 0x5C {
            for v: UInt32 in r.lowerBound...min(r.upperBound, 0x5C) where v < 0x20 || v == 0x22 || v == 0x5C {
                escaped.append(literal(v))
            }
        }
        return .either(escaped)
    }

    /// One character as the context writes it.
    fileprivate func literal(_ v: UInt32) -> GrammarExpression {
        guard context == .jsonString else { return .literal([v]) }
        switch v {
        case 0x22: return .text("\\\"")
        case 0x5C: return .text("\\\\")
        case 10: return .text("\\n")
        case 13: return .text("\\r")
        case 9: return .text("\\t")
        case 0..<0x20: return .text("\\u00" + (v < 16 ? "0" : "") + String(v, radix: 16))
        default: return .literal([v])
        }
    }
}
