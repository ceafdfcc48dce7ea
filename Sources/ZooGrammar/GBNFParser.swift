/// Reads llama.cpp's GBNF grammar syntax (`grammars/README.md` of llama.cpp):
///
/// ```
/// root  ::= "1. " move ([1-9] [0-9]? ". " move "\n")+     # a comment
/// move  ::= (pawn | castle) [+#]?
/// name  ::= [a-zA-Z0-9-]+          rule names: letters, digits and dashes
/// ```
///
/// - Terminals: `"quoted"` strings, classes `[a-z]`, `[^\n]`, `.` (any character); escapes
///   `\t \r \n \\ \" \[ \] \xHH \uHHHH \UHHHHHHHH`.
/// - Groups `( … )`, alternatives `|`, repetition `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}`, `{,n}`.
/// - `#` starts a comment. A rule ends at the end of its line, except inside parentheses and
///   after a `|`. `root` is where the whole output starts.
public struct GBNFParser {
    /// The largest repetition count accepted, so that `x{0,999999}` is an error, not a huge grammar.
    public static let maxRepetition = 10_000

    private let scalars: [Unicode.Scalar]
    private let source: String
    private var i = 0
    private var depth = 0

    /// Parses `text`; errors name `source` (e.g. a file path) and the `line:column`.
    public static func parse(_ text: String, source: String = "grammar") throws -> [GrammarRuleDefinition] {
        var parser = GBNFParser(scalars: Array(text.unicodeScalars), source: source)
        return try parser.grammar()
    }

    private init(scalars: [Unicode.Scalar], source: String) {
        self.scalars = scalars
        self.source = source
    }

    // MARK: Positions and errors

    private func location(_ index: Int) -> String {
        var line = 1, column = 1
        for k in 0..<min(index, scalars.count) {
            if scalars[k] == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return "\(line):\(column)"
    }

    private func fail(_ reason: String, at index: Int? = nil) -> GrammarError {
        GrammarError(source: source, location: location(index ?? i), reason: reason)
    }

    private var current: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    private func describe(_ c: Unicode.Scalar?) -> String {
        guard let c else { return "the end" }
        if c == "\n" { return "the end of the line" }
        return "\"\(c)\""
    }

    private mutating func skipSpace(newlines: Bool) {
        while let c = current {
            if c == " " || c == "\t" || (newlines && (c == "\n" || c == "\r")) {
                i += 1
            } else if c == "#" {
                while let d = current, d != "\n" { i += 1 }
            } else {
                return
            }
        }
    }

    private static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "-"
    }

    // MARK: Rules

    private mutating func grammar() throws -> [GrammarRuleDefinition] {
        var rules: [GrammarRuleDefinition] = []
        var seen: [String: String] = [:]
        skipSpace(newlines: true)
        while current != nil {
            let start = i
            let name = try self.name()
            if let earlier = seen[name] {
                throw fail("rule \"\(name)\" is defined twice (first at \(earlier))", at: start)
            }
            seen[name] = location(start)
            skipSpace(newlines: false)
            guard i + 2 < scalars.count, scalars[i] == ":", scalars[i + 1] == ":", scalars[i + 2] == "="
            else { throw fail("expected \"::=\" after the rule name \"\(name)\", found \(describe(current))") }
            i += 3
            skipSpace(newlines: true)
            let body = try alternatives(nested: false)
            rules.append(GrammarRuleDefinition(name: name, body: body, location: location(start)))
            if let c = current, c != "\n", c != "\r" {
                throw fail("expected the end of the line after rule \"\(name)\", found \(describe(c))")
            }
            skipSpace(newlines: true)
        }
        guard !rules.isEmpty else { throw fail("the grammar defines no rule", at: 0) }
        return rules
    }

    private mutating func name() throws -> String {
        let start = i
        while let c = current, Self.isNameCharacter(c) { i += 1 }
        if current == "_" { throw fail("rule names are letters, digits and dashes (\"_\" is not allowed in GBNF)") }
        guard i > start else { throw fail("expected a rule name, found \(describe(current))") }
        return String(String.UnicodeScalarView(scalars[start..<i]))
    }

    private mutating func alternatives(nested: Bool) throws -> GrammarExpression {
        var options = [try sequence(nested: nested)]
        while current == "|" {
            i += 1
            skipSpace(newlines: true)
            options.append(try sequence(nested: nested))
        }
        return options.count == 1 ? options[0] : .alternatives(options)
    }

    private mutating func sequence(nested: Bool) throws -> GrammarExpression {
        var items: [GrammarExpression] = []
        while let c = current {
            if c == "|" || c == ")" || c == "\n" || c == "\r" { break }
            let start = i
            var item = try primary()
            try repetitions(&item, itemStart: start)
            items.append(item)
            skipSpace(newlines: nested)
        }
        if current == ")" && !nested { throw fail("unmatched \")\"") }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func primary() throws -> GrammarExpression {
        let start = i
        switch current {
        case "\""?:
            i += 1
            var chars: [UInt32] = []
            while true {
                guard let c = current, c != "\n" else { throw fail("unterminated string", at: start) }
                if c == "\"" { i += 1; break }
                chars.append(try character())
            }
            return .literal(chars)
        case "["?:
            i += 1
            var negated = false
            if current == "^" { negated = true; i += 1 }
            var ranges: [ClosedRange<UInt32>] = []
            while true {
                guard let c = current, c != "\n" else { throw fail("unterminated character class", at: start) }
                if c == "]" { i += 1; break }
                let lowAt = i
                let low = try character()
                var high = low
                if current == "-", i + 1 < scalars.count, scalars[i + 1] != "]" {
                    i += 1
                    high = try character()
                    guard low <= high else { throw fail("the range is reversed (\(hex(low)) > \(hex(high)))", at: lowAt) }
                }
                ranges.append(low...high)
            }
            return .characterClass(ranges: ranges, negated: negated)
        case "."?:
            i += 1
            return .characterClass(ranges: [], negated: true)
        case "("?:
            i += 1
            depth += 1
            defer { depth -= 1 }
            guard depth <= 100 else { throw fail("groups nest more than 100 deep") }
            skipSpace(newlines: true)
            let body = try alternatives(nested: true)
            guard current == ")" else { throw fail("expected \")\" to close the group opened at \(location(start)), found \(describe(current))") }
            i += 1
            return body
        case "<"?, "!"?:
            throw fail("token references (<...>) are not supported; write the text instead")
        case let c? where Self.isNameCharacter(c):
            let name = try self.name()
            return .reference(name, at: location(start))
        default:
            throw fail("expected a string, a character class, a rule name or \"(\", found \(describe(current))")
        }
    }

    private func hex(_ v: UInt32) -> String { "U+" + String(v, radix: 16, uppercase: true) }

    /// One character of a string or a class, decoding escapes.
    private mutating func character() throws -> UInt32 {
        guard let c = current else { throw fail("unexpected end") }
        i += 1
        guard c == "\\" else { return c.value }
        guard let e = current else { throw fail("an escape is cut off by the end") }
        i += 1
        switch e {
        case "n": return 10
        case "r": return 13
        case "t": return 9
        case "\\", "\"", "[", "]", "-", "^", "/": return e.value
        case "x": return try hexDigits(2)
        case "u": return try hexDigits(4)
        case "U": return try hexDigits(8)
        default: throw fail("unknown escape \"\\\(e)\"", at: i - 2)
        }
    }

    private mutating func hexDigits(_ n: Int) throws -> UInt32 {
        var v: UInt32 = 0
        let start = i - 2
        for _ in 0..<n {
            guard let c = current, let d = UInt32(String(c), radix: 16)
            else { throw fail("expected \(n) hexadecimal digits after \\\(scalars[start + 1])", at: start) }
            v = v &* 16 &+ d
            i += 1
        }
        guard v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else { throw fail("\(hex(v)) is not a Unicode scalar value", at: start) }
        return v
    }

    /// The most repetitions an item may stack once merged (`x*+` counts one; `x{2}{3}` two).
    static let maxStackedRepetitions = 8

    /// The operators after an item. Stacked ones merge where they read as one (``GrammarExpression/times(_:_:)``),
    /// so `x*+++` costs what `x*` does; more than ``maxStackedRepetitions`` that do not merge are an error.
    private mutating func repetitions(_ item: inout GrammarExpression, itemStart: Int) throws {
        while let c = current {
            if item.repetitionNesting >= Self.maxStackedRepetitions, c == "*" || c == "+" || c == "?" || c == "{" {
                throw fail("more than \(Self.maxStackedRepetitions) repetition operators stacked on one item")
            }
            switch c {
            case "*": i += 1; item = item.times(0, nil)
            case "+": i += 1; item = item.times(1, nil)
            case "?": i += 1; item = item.times(0, 1)
            case "{":
                let start = i
                i += 1
                skipSpace(newlines: false)
                let low = try number() ?? 0
                skipSpace(newlines: false)
                var high: Int? = low
                if current == "," {
                    i += 1
                    skipSpace(newlines: false)
                    high = try number()
                    skipSpace(newlines: false)
                }
                guard current == "}" else { throw fail("expected \"}\" to close the repetition, found \(describe(current))") }
                i += 1
                if let h = high, h < low { throw fail("the repetition {\(low),\(h)} has its maximum below its minimum", at: start) }
                if max(low, high ?? 0) > Self.maxRepetition {
                    throw fail("repetition counts above \(Self.maxRepetition) are not supported", at: start)
                }
                item = item.times(low, high)
            default:
                return
            }
        }
    }

    private mutating func number() throws -> Int? {
        let start = i
        while let c = current, c >= "0" && c <= "9" { i += 1 }
        guard i > start else { return nil }
        let digits = String(String.UnicodeScalarView(scalars[start..<i]))
        guard digits.count <= 9, let n = Int(digits) else { throw fail("the repetition count \(digits) is too large", at: start) }
        return n
    }
}
