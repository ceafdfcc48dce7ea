/// JSON text that does not parse: what is wrong and where (1-based line and column, and the character offset).
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public let line: Int
    public let column: Int
    /// Characters (Unicode scalars) read before the problem.
    public let offset: Int

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 parser that keeps object key order and integer-ness (what `JSONSerialization` loses).
/// Nesting is bounded so hostile input fails with an error instead of overflowing the stack.
enum JSONParser {
    static let maxDepth = 512

    static func parse(_ text: String) throws -> JSONValue {
        var reader = Reader(Array(text.unicodeScalars))
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.atEnd else { throw reader.fail("unexpected text after the JSON value") }
        return value
    }

    /// The first complete JSON value at the start of `scalars` (after spaces) and how many scalars it used;
    /// nil when the text does not start with a complete value.
    static func prefix(_ scalars: [Unicode.Scalar]) -> (JSONValue, Int)? {
        var reader = Reader(scalars)
        reader.skipSpace()
        guard let value = try? reader.value(depth: 0) else { return nil }
        return (value, reader.i)
    }

    struct Reader {
        let s: [Unicode.Scalar]
        var i = 0

        init(_ s: [Unicode.Scalar]) { self.s = s }

        var atEnd: Bool { i >= s.count }

        func fail(_ message: String) -> JSONSyntaxError {
            var line = 1
            var column = 1
            for c in s[..<min(i, s.count)] {
                if c == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            let what = atEnd ? "\(message) (the text ends here)" : message
            return JSONSyntaxError(message: what, line: line, column: column, offset: i)
        }

        mutating func skipSpace() {
            while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r" { i += 1 }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < JSONParser.maxDepth else { throw fail("JSON nested deeper than \(JSONParser.maxDepth) levels") }
            guard i < s.count else { throw fail("expected a JSON value") }
            switch s[i] {
            case "{": return try object(depth: depth)
            case "[": return try array(depth: depth)
            case "\"": return .string(try string())
            case "t": return try literal("true", .bool(true))
            case "f": return try literal("false", .bool(false))
            case "n": return try literal("null", .null)
            case "-", "0"..."9": return try number()
            default: throw fail("unexpected character \"\(s[i])\" where a JSON value should start")
            }
        }

        mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
            let start = i
            for c in word.unicodeScalars {
                guard i < s.count, s[i] == c else {
                    i = start  // the error points at the word, not into it
                    throw fail("expected \"\(word)\"")
                }
                i += 1
            }
            return value
        }

        mutating func object(depth: Int) throws -> JSONValue {
            var object = JSONObject()
            try members(closedBy: "}", in: "object") {
                guard $0.i < $0.s.count, $0.s[$0.i] == "\"" else { throw $0.fail("expected a string key in the object") }
                let key = try $0.string()
                $0.skipSpace()
                guard $0.i < $0.s.count, $0.s[$0.i] == ":" else { throw $0.fail("expected \":\" after the key \"\(key)\"") }
                $0.i += 1
                $0.skipSpace()
                object[key] = try $0.value(depth: depth + 1)
            }
            return .object(object)
        }

        mutating func array(depth: Int) throws -> JSONValue {
            var items: [JSONValue] = []
            try members(closedBy: "]", in: "array") { items.append(try $0.value(depth: depth + 1)) }
            return .array(items)
        }

        /// Reads the comma-separated members of an object or array, from its opening bracket
        /// through `close`, each by `member` (which starts after white space).
        private mutating func members(
            closedBy close: Unicode.Scalar, in what: String, _ member: (inout Reader) throws -> Void
        ) throws {
            i += 1
            skipSpace()
            if i < s.count, s[i] == close {
                i += 1
                return
            }
            while true {
                skipSpace()
                try member(&self)
                skipSpace()
                guard i < s.count else { throw fail("unterminated \(what): expected \",\" or \"\(close)\"") }
                if s[i] == "," {
                    i += 1
                } else if s[i] == close {
                    i += 1
                    return
                } else {
                    throw fail("expected \",\" or \"\(close)\" in the \(what)")
                }
            }
        }

        mutating func string() throws -> String {
            i += 1
            var out = String.UnicodeScalarView()
            while true {
                guard i < s.count else { throw fail("unterminated string") }
                let c = s[i]
                i += 1
                switch c {
                case "\"": return String(out)
                case "\\":
                    guard i < s.count else { throw fail("unterminated escape") }
                    let e = s[i]
                    i += 1
                    switch e {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "/": out.append("/")
                    case "b": out.append("\u{8}")
                    case "f": out.append("\u{c}")
                    case "n": out.append("\n")
                    case "r": out.append("\r")
                    case "t": out.append("\t")
                    case "u":
                        let high = try hex4()
                        if (0xD800..<0xDC00).contains(high), i + 1 < s.count, s[i] == "\\", s[i + 1] == "u" {
                            i += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid low surrogate in \\u escape") }
                            out.append(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)
                        } else if let scalar = Unicode.Scalar(high) {
                            out.append(scalar)
                        } else {
                            out.append("\u{FFFD}")  // a lone surrogate, as lenient decoders do
                        }
                    default: throw fail("invalid escape \"\\\(e)\"")
                    }
                default:
                    guard c.value >= 0x20 else { throw fail("control character U+\(String(c.value, radix: 16, uppercase: true)) inside a string") }
                    out.append(c)
                }
            }
        }

        mutating func hex4() throws -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard i < s.count, let d = hexDigit(s[i]) else {
                    throw fail("expected four hex digits in a \\u escape")
                }
                v = v * 16 + d
                i += 1
            }
            return v
        }

        func hexDigit(_ c: Unicode.Scalar) -> UInt32? {
            switch c {
            case "0"..."9": c.value - 48
            case "a"..."f": c.value - 87
            case "A"..."F": c.value - 55
            default: nil
            }
        }

        mutating func number() throws -> JSONValue {
            let start = i
            if s[i] == "-" { i += 1 }
            guard i < s.count, ("0"..."9").contains(s[i]) else { throw fail("expected a digit") }
            if s[i] == "0" {
                i += 1
            } else {
                while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
            }
            var isInteger = true
            if i < s.count, s[i] == "." {
                isInteger = false
                i += 1
                guard i < s.count, ("0"..."9").contains(s[i]) else { throw fail("expected a digit after \".\"") }
                while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
            }
            if i < s.count, s[i] == "e" || s[i] == "E" {
                isInteger = false
                i += 1
                if i < s.count, s[i] == "+" || s[i] == "-" { i += 1 }
                guard i < s.count, ("0"..."9").contains(s[i]) else { throw fail("expected a digit in the exponent") }
                while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
            }
            let text = String(String.UnicodeScalarView(s[start..<i]))
            if isInteger, let n = Int(text) { return .integer(n) }
            guard let d = Double(text) else { throw fail("number out of range") }
            return .number(d)
        }
    }
}
