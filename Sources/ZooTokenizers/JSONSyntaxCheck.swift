/// Finds where a JSON document stops being valid, for error messages only (Foundation's
/// decoders say "not valid JSON" without a position).
struct JSONSyntaxCheck {
    /// A syntax error: 1-based line and what was expected there.
    struct Problem {
        let line: Int
        let column: Int
        let message: String
    }

    private let bytes: [UInt8]
    private var i = 0
    private static let delimiters = Set("{}[],: \t\r\n\"".utf8)

    /// The first syntax error in `bytes`, or `nil` when the document is well formed.
    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var check = JSONSyntaxCheck(bytes: bytes)
        do {
            check.skipSpace()
            try check.value(depth: 0)
            check.skipSpace()
            if check.i < bytes.count { throw check.problem("unexpected text after the JSON value") }
            return nil
        } catch {
            return error as? Problem
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func problem(_ message: String) -> Problem {
        var line = 1, lineStart = 0
        for (k, b) in bytes[..<min(i, bytes.count)].enumerated() where b == UInt8(ascii: "\n") {
            line += 1
            lineStart = k + 1
        }
        return Problem(line: line, column: i - lineStart + 1, message: message)
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else {
            throw problem(i < bytes.count ? "expected '\(Character(Unicode.Scalar(c)))'" : "unexpected end of file")
        }
        i += 1
    }

    private mutating func value(depth: Int) throws {
        skipSpace()
        guard i < bytes.count else { throw problem("unexpected end of file") }
        guard depth < 512 else { throw problem("nested too deeply") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
            repeat {
                skipSpace()
                try string()
                try expect(UInt8(ascii: ":"))
                try value(depth: depth + 1)
                skipSpace()
            } while try separator(closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
            repeat {
                try value(depth: depth + 1)
                skipSpace()
            } while try separator(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            try string()
        default:
            let start = i
            while i < bytes.count, !Self.delimiters.contains(bytes[i]) { i += 1 }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            if word == "true" || word == "false" || word == "null" || Double(word) != nil { return }
            i = start
            throw problem(word.isEmpty ? "expected a value" : "invalid value '\(word.prefix(20))'")
        }
    }

    /// After an element: `true` on a comma, `false` on the closing bracket.
    private mutating func separator(closing: UInt8) throws -> Bool {
        guard i < bytes.count else { throw problem("unexpected end of file") }
        if bytes[i] == UInt8(ascii: ",") { i += 1; return true }
        if bytes[i] == closing { i += 1; return false }
        throw problem("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    private mutating func string() throws {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw problem("expected a string") }
        i += 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""): i += 1; return
            case UInt8(ascii: "\\"): i += 2
            case 0..<0x20: throw problem("control character in string")
            default: i += 1
            }
        }
        throw problem("unterminated string")
    }
}

extension JSONSyntaxCheck.Problem: Error {}
