import ZooCore

/// One stage of a chain as a manifest or a command line names it: the registered name and its
/// options. A single scalar (`- top_k: 20`, `top_k=20`) arrives as the option `value`.
public struct SamplerStageSpec: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var options: [String: OptionValue]

    public init(_ name: String, _ options: [String: OptionValue] = [:]) {
        self.name = name
        self.options = options
    }

    /// A stage with one scalar option, `name=value`.
    public init(_ name: String, value: Double) {
        self.init(name, ["value": .number(value)])
    }

    /// The stage in `--chain` syntax.
    public var description: String { ChainSyntax.format([self]) }
}

/// A `--chain` string that does not parse.
public struct ChainSyntaxError: Error, CustomStringConvertible, Sendable {
    public let text: String
    /// 1-based column of the problem.
    public let column: Int
    public let message: String

    public var description: String { "\(message) at column \(column) of \"\(text)\"" }
}

/// The command-line syntax of a sampler chain, e.g.
/// `repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7`.
///
/// ```
/// chain  := "" | stage ("," stage)*          stages apply left to right
/// stage  := name                              no options:      greedy
///         | name "=" value                    one scalar:      top_p=0.8   (option "value")
///         | name "(" [option ("," option)*] ")"                dry(multiplier=0.8,base=1.75)
/// option := key "=" value
/// value  := number | true | false | null | string | list
/// number := a decimal (1, -0.5, 1e-3) or inf / -inf
/// string := a bare word ([A-Za-z0-9_.+-]) or "double-quoted" (\" and \\ escaped)
/// list   := "[" [value ("," value)*] "]"      banned_tokens=[151643,151645]
/// ```
///
/// Spaces around tokens are ignored. Each stage becomes the same ``SamplerStageSpec`` that the
/// manifest's YAML list gives (`- top_p: 0.8`, `- dry: {multiplier: 0.8, base: 1.75}`), e.g.
/// `dry(multiplier=0.8,sequence_breakers=[198,[25,220]])` or `logit_bias(151643=-inf,42=2.5)`.
public enum ChainSyntax {
    public static func parse(_ text: String) throws -> [SamplerStageSpec] {
        var parser = Parser(text: text)
        return try parser.chain()
    }

    /// The chain in `--chain` syntax (options sorted by key); `parse(format(x)) == x`.
    public static func format(_ stages: [SamplerStageSpec]) -> String {
        stages.map { stage in
            if stage.options.isEmpty { return stage.name }
            if stage.options.count == 1, let v = stage.options["value"] {
                return "\(stage.name)=\(format(v))"
            }
            let options = stage.options.keys.sorted().map { "\($0)=\(format(stage.options[$0]!))" }
            return "\(stage.name)(\(options.joined(separator: ",")))"
        }.joined(separator: ",")
    }

    static func format(_ value: OptionValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if n == .infinity { return "inf" }
            if n == -.infinity { return "-inf" }
            if n == n.rounded(), abs(n) < 1e15 { return String(Int(n)) }
            return "\(n)"
        case .string(let s):
            let bare = !s.isEmpty && s.unicodeScalars.allSatisfy(Parser.isBare)
                && Double(s) == nil && !["true", "false", "null", "inf", "-inf"].contains(s)
            if bare { return s }
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .list(let l): return "[" + l.map(format).joined(separator: ",") + "]"
        case .map(let m):
            return "(" + m.keys.sorted().map { "\($0)=\(format(m[$0]!))" }.joined(separator: ",") + ")"
        }
    }

    private struct Parser {
        let text: String
        let scalars: [Unicode.Scalar]
        var i = 0
        /// How deeply the value being read is nested (lists and option maps).
        var depth = 0
        /// The deepest nesting read; deeper input (the fuzzer sent 1,700 "[") is an error, not a stack overflow.
        static let maxDepth = 32

        init(text: String) {
            self.text = text
            scalars = Array(text.unicodeScalars)
        }

        static func isBare(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                || c == "_" || c == "." || c == "-" || c == "+"
        }

        static func isName(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
        }

        func fail(_ message: String) -> ChainSyntaxError {
            ChainSyntaxError(text: text, column: i + 1, message: message)
        }

        mutating func skipSpaces() {
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
        }

        mutating func peek() -> Unicode.Scalar? {
            skipSpaces()
            return i < scalars.count ? scalars[i] : nil
        }

        mutating func expect(_ c: Unicode.Scalar) throws {
            guard peek() == c else {
                throw fail(i < scalars.count ? "expected \"\(c)\", found \"\(scalars[i])\"" : "expected \"\(c)\", found the end")
            }
            i += 1
        }

        mutating func name(_ what: String) throws -> String {
            skipSpaces()
            let start = i
            while i < scalars.count, Self.isName(scalars[i]) { i += 1 }
            guard i > start else {
                throw fail(i < scalars.count ? "expected \(what), found \"\(scalars[i])\"" : "expected \(what), found the end")
            }
            return String(String.UnicodeScalarView(scalars[start..<i]))
        }

        mutating func chain() throws -> [SamplerStageSpec] {
            var stages: [SamplerStageSpec] = []
            if peek() == nil { return stages }
            while true {
                stages.append(try stage())
                guard let c = peek() else { return stages }
                guard c == "," else { throw fail("expected \",\" between stages, found \"\(c)\"") }
                i += 1
            }
        }

        mutating func stage() throws -> SamplerStageSpec {
            let name = try name("a stage name")
            switch peek() {
            case "=":
                i += 1
                return SamplerStageSpec(name, ["value": try value()])
            case "(":
                i += 1
                var options: [String: OptionValue] = [:]
                if peek() == ")" {
                    i += 1
                    return SamplerStageSpec(name, options)
                }
                while true {
                    let keyStart = i
                    let key = try self.name("an option name")
                    try expect("=")
                    if options[key] != nil {
                        i = keyStart
                        throw fail("option \"\(key)\" of \(name) is given twice")
                    }
                    options[key] = try value()
                    if peek() == "," {
                        i += 1
                        continue
                    }
                    try expect(")")
                    return SamplerStageSpec(name, options)
                }
            default:
                return SamplerStageSpec(name)
            }
        }

        mutating func value() throws -> OptionValue {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw fail("values nest more than \(Self.maxDepth) levels deep") }
            switch peek() {
            case "[":
                i += 1
                var items: [OptionValue] = []
                if peek() == "]" {
                    i += 1
                    return .list(items)
                }
                while true {
                    items.append(try value())
                    if peek() == "," {
                        i += 1
                        continue
                    }
                    try expect("]")
                    return .list(items)
                }
            case "\"":
                i += 1
                var s = String.UnicodeScalarView()
                while i < scalars.count, scalars[i] != "\"" {
                    if scalars[i] == "\\", i + 1 < scalars.count { i += 1 }
                    s.append(scalars[i])
                    i += 1
                }
                guard i < scalars.count else { throw fail("unterminated string") }
                i += 1
                return .string(String(s))
            case let c? where Self.isBare(c):
                let start = i
                while i < scalars.count, Self.isBare(scalars[i]) { i += 1 }
                let word = String(String.UnicodeScalarView(scalars[start..<i]))
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                case "inf", "+inf": return .number(.infinity)
                case "-inf": return .number(-.infinity)
                default:
                    if let n = Double(word), n.isFinite { return .number(n) }
                    return .string(word)
                }
            case let c?:
                throw fail("expected a value, found \"\(c)\"")
            case nil:
                throw fail("expected a value, found the end")
            }
        }
    }
}
