/// Turns a stream of token bytes into text without ever emitting half of a UTF-8 character.
///
/// A Qwen token may end in the middle of a multi-byte character (id 51461 is `" \xe6\xa0"`),
/// so a streaming front end holds back an incomplete trailing sequence until the next token
/// completes it. Bytes that can never become valid UTF-8 are emitted as U+FFFD at once.
public struct StreamingDetokenizer: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Adds bytes and returns the text that is complete so far.
    public mutating func append(_ bytes: [UInt8]) -> String {
        pending.append(contentsOf: bytes)
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns whatever is still held back (as U+FFFD if it never completed) and resets.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// The length of the longest prefix that does not end inside a still-completable character.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // Look back at most 3 bytes for the lead byte of a trailing multi-byte sequence.
        var i = n - 1
        var continuation = 0
        while i >= 0, continuation < 3, bytes[i] & 0xC0 == 0x80 {
            continuation += 1
            i -= 1
        }
        guard i >= 0 else { return n }
        let lead = bytes[i]
        let needed: Int
        switch lead {
        case 0xC2...0xDF: needed = 1
        case 0xE0...0xEF: needed = 2
        case 0xF0...0xF4: needed = 3
        default: return n  // ASCII, or a byte that can never start a character
        }
        if continuation >= needed { return n }
        // Second-byte ranges that keep the sequence valid (no overlongs, surrogates, > U+10FFFF).
        if continuation >= 1 {
            let second = bytes[i + 1]
            let valid: Bool
            switch lead {
            case 0xE0: valid = second >= 0xA0
            case 0xED: valid = second <= 0x9F
            case 0xF0: valid = second >= 0x90
            case 0xF4: valid = second <= 0x8F
            default: valid = true
            }
            if !valid { return n }
        }
        return i
    }
}
