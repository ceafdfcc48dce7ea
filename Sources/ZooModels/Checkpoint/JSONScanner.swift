import Foundation

/// A forward-only reader of JSON text in place, for headers from strangers whose size is not a
/// promise: it reads values one at a time without building a tree, so a header of a million
/// entries costs the entries, not several copies of the text (`JSONDecoder`'s intermediate maps
/// made a safetensors header peak at ~25× its size).
///
/// Syntax follows RFC 8259. Integers are the tokens without a fraction or an exponent that fit an
/// `Int` (as serde reads a `usize`); every other number is a non-integer. Errors carry the byte
/// offset within the text.
struct JSONScanner {
    /// What the next value is, from its first byte (numbers by their whole token).
    enum Kind: Equatable {
        case null, bool, integer, number, string, array, object

        /// A short type name for error messages ("a string", "an array", ...).
        var name: String {
            switch self {
            case .null: "null"
            case .bool: "a boolean"
            case .integer: "an integer"
            case .number: "a non-integer number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }
    }

    struct SyntaxError: Error {
        let offset: Int
        let message: String
        var reason: String { "is not valid JSON (\(message) at byte \(offset))" }
    }

    /// Arrays and objects nest at most this deep in a skipped value.
    static let maxDepth = 256

    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether `bytes` are valid UTF-8, checked without a copy.
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    // MARK: Structure

    /// Skips whitespace; true when the text is used up.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return offset == bytes.count
    }

    /// Consumes `byte` (after whitespace) or fails naming what was expected.
    mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { throw error("expected \(what)") }
        offset += 1
    }

    /// After an object's `{` or an array's `[`: whether another member follows (consuming the `,`),
    /// or the container ends (consuming the closing byte). `first` is true before the first member.
    mutating func hasMore(closing: UInt8, first: Bool) throws -> Bool {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of text") }
        if bytes[offset] == closing {
            offset += 1
            return false
        }
        if !first {
            guard bytes[offset] == UInt8(ascii: ",") else {
                throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
            }
            offset += 1
        }
        return true
    }

    /// Reads the object that comes next (its `{` first): `member` gets each key, with the scanner at
    /// that member's value, which it must consume.
    mutating func forEachMember(_ member: (String, inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "'{'")
        var first = true
        while try hasMore(closing: UInt8(ascii: "}"), first: first) {
            first = false
            try member(try key(), &self)
        }
    }

    /// Reads the array that comes next (its `[` first): `element` gets the scanner at each element,
    /// which it must consume.
    mutating func forEachElement(_ element: (inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "'['")
        var first = true
        while try hasMore(closing: UInt8(ascii: "]"), first: first) {
            first = false
            try element(&self)
        }
    }

    /// An object member's key and its colon.
    mutating func key() throws -> String {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try string()
        try expect(UInt8(ascii: ":"), "':' after a key")
        return key
    }

    /// The kind of the next value, without consuming it.
    mutating func peekKind() throws -> Kind {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of text") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = offset
            defer { offset = start }
            return try numberToken() == nil ? .number : .integer
        default: throw error("unexpected character")
        }
    }

    // MARK: Values

    /// A string value (the scanner is at its opening quote).
    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""), "a string")
        var utf8: [UInt8] = []
        var runStart = offset
        while true {
            guard offset < bytes.count else { throw error("unterminated string") }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                utf8.append(contentsOf: bytes[runStart..<offset])
                offset += 1
                break
            }
            if byte < 0x20 { throw error("control character in a string") }
            if byte != UInt8(ascii: "\\") {
                offset += 1
                continue
            }
            utf8.append(contentsOf: bytes[runStart..<offset])
            offset += 1
            guard offset < bytes.count else { throw error("unterminated string") }
            let escape = bytes[offset]
            offset += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
            default: throw error("invalid escape")
            }
            runStart = offset
        }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
        return text
    }

    /// A non-negative or negative integer token; nil for any other number (a fraction, an exponent,
    /// or one too large for `Int`), which is consumed too.
    mutating func integer() throws -> Int? {
        skipWhitespace()
        return try numberToken()
    }

    /// Skips one value of any kind, nesting at most ``maxDepth`` deep (iteratively: no recursion).
    mutating func skipValue() throws {
        var closers: [UInt8] = []
        var expectingValue = true
        repeat {
            if expectingValue {
                switch try peekKind() {
                case .object:
                    offset += 1
                    closers.append(UInt8(ascii: "}"))
                    guard closers.count <= Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth)") }
                    if try hasMore(closing: UInt8(ascii: "}"), first: true) { _ = try key() } else {
                        closers.removeLast()
                        expectingValue = false
                        continue
                    }
                case .array:
                    offset += 1
                    closers.append(UInt8(ascii: "]"))
                    guard closers.count <= Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth)") }
                    if !(try hasMore(closing: UInt8(ascii: "]"), first: true)) {
                        closers.removeLast()
                        expectingValue = false
                    }
                    continue
                case .string: _ = try string(); expectingValue = false
                case .integer, .number: _ = try numberToken(); expectingValue = false
                case .bool, .null: try literal(); expectingValue = false
                }
                continue
            }
            guard let closer = closers.last else { return }
            if try hasMore(closing: closer, first: false) {
                if closer == UInt8(ascii: "}") { _ = try key() }
                expectingValue = true
            } else {
                closers.removeLast()
            }
        } while !closers.isEmpty || expectingValue
    }

    // MARK: Tokens

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): offset += 1
            default: return
            }
        }
    }

    private func error(_ message: String) -> SyntaxError { SyntaxError(offset: offset, message: message) }

    private mutating func literal() throws {
        for word in ["true", "false", "null"] where bytes.count - offset >= word.utf8.count {
            if zip(bytes[offset...], word.utf8).allSatisfy({ $0 == $1 }) {
                offset += word.utf8.count
                return
            }
        }
        throw error("unexpected character")
    }

    /// A number token by RFC 8259's grammar, with its value when it is an integer that fits `Int`.
    private mutating func numberToken() throws -> Int? {
        func digits() -> Int {
            let first = offset
            while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
            return offset - first
        }
        let negative = offset < bytes.count && bytes[offset] == UInt8(ascii: "-")
        if negative { offset += 1 }
        let integerStart = offset
        let count = digits()
        guard count > 0 else { throw error("expected a digit") }
        guard count == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw error("leading zero in a number") }
        var isInteger = true
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else { throw error("expected a digit after '.'") }
            isInteger = false
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits() > 0 else { throw error("expected a digit in the exponent") }
            isInteger = false
        }
        guard isInteger else { return nil }
        var value = 0
        for byte in bytes[integerStart..<(integerStart + count)] {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }

    /// The UTF-8 of a `\uXXXX` escape (the scanner is after the `u`), pairing surrogates.
    private mutating func unicodeEscape() throws -> [UInt8] {
        func hex4() throws -> UInt32 {
            guard bytes.count - offset >= 4 else { throw error("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[offset])).hexDigitValue else {
                    throw error("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                offset += 1
            }
            return value
        }
        var code = try hex4()
        if (0xD800...0xDBFF).contains(code) {
            guard bytes.count - offset >= 2, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate in a \\u escape")
            }
            offset += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw error("unpaired surrogate in a \\u escape")
        }
        return Array(String(Character(Unicode.Scalar(code)!)).utf8)
    }
}
