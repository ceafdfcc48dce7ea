/// Splits text into the pieces BPE works on, exactly as Qwen's pattern does:
///
/// ```
/// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// ```
///
/// A hand-written scanner over Unicode scalars: at each position the first alternative that
/// matches wins, and greedy quantifiers behave as after a regex engine's backtracking.
enum PreTokenizer {
    /// Calls `body` with the byte range of each piece of `text`, which must be valid UTF-8.
    @inline(__always)
    static func split(_ text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let scanner = Scanner(text: text)
        var start = 0
        while start < text.count {
            let end = scanner.match(at: start)
            body(start..<end)
            start = end
        }
    }

    struct Scanner {
        let text: UnsafeBufferPointer<UInt8>

        /// Decodes the scalar at byte offset `i`: its value and its length in bytes.
        @inline(__always)
        func scalar(at i: Int) -> (value: UInt32, length: Int) {
            let b0 = UInt32(text[i])
            if b0 < 0x80 { return (b0, 1) }
            if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F), 2) }
            if b0 < 0xF0 {
                return ((b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F), 3)
            }
            return ((b0 & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12
                    | UInt32(text[i + 2] & 0x3F) << 6 | UInt32(text[i + 3] & 0x3F), 4)
        }

        @inline(__always)
        func classAt(_ i: Int) -> (ScalarClass, Int) {
            let (value, length) = scalar(at: i)
            return (ScalarClass.of(value), length)
        }

        /// The end of the run of `kind` scalars starting at `i`.
        @inline(__always)
        func skip(_ kind: ScalarClass, from i: Int) -> Int {
            var j = i
            while j < text.count {
                let (c, length) = classAt(j)
                if c != kind { break }
                j += length
            }
            return j
        }

        /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i` (just after the apostrophe is `i + 1`).
        func contraction(at i: Int) -> Int? {
            let n = text.count
            guard i + 1 < n else { return nil }
            let (first, firstLength) = scalar(at: i + 1)
            // Case-insensitive with Unicode simple folding: `ſ` (U+017F) folds to `s`.
            switch Self.folded(first) {
            case "s", "t", "m", "d": return i + 1 + firstLength
            case let c where c == "r" || c == "v" || c == "l":
                let j = i + 1 + firstLength
                guard j < n else { return nil }
                let (second, secondLength) = scalar(at: j)
                let want: Character = c == "l" ? "l" : "e"
                return Self.folded(second) == want ? j + secondLength : nil
            default: return nil
            }
        }

        @inline(__always)
        static func folded(_ value: UInt32) -> Character? {
            switch value {
            case 0x41...0x5A: return Character(Unicode.Scalar(value + 0x20)!)
            case 0x61...0x7A: return Character(Unicode.Scalar(value)!)
            case 0x17F: return "s"
            default: return nil
            }
        }

        /// The end of the match that starts at `i`.
        func match(at i: Int) -> Int {
            let n = text.count
            let (value, length) = scalar(at: i)
            let kind = ScalarClass.of(value)
            let next = i + length

            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if value == 0x27, let end = contraction(at: i) { return end }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if kind == .letter { return skip(.letter, from: next) }
            if kind == .space || kind == .other, next < n, classAt(next).0 == .letter {
                return skip(.letter, from: next)
            }

            // \p{N}
            if kind == .number { return next }

            // ' '?[^\s\p{L}\p{N}]+[\r\n]*
            if value == 0x20, next < n, classAt(next).0 == .other {
                return skip(.newline, from: skip(.other, from: next))
            }
            if kind == .other { return skip(.newline, from: skip(.other, from: next)) }

            // Now a whitespace run starts at i. \s*[\r\n]+ ends after its last newline;
            // \s+(?!\S) gives back the last scalar when a non-space follows; \s+ takes all.
            var j = i
            var lastNewlineEnd = -1
            var lastStart = i
            var scalars = 0
            while j < n {
                let (c, l) = classAt(j)
                if c != .space && c != .newline { break }
                lastStart = j
                j += l
                scalars += 1
                if c == .newline { lastNewlineEnd = j }
            }
            if lastNewlineEnd >= 0 { return lastNewlineEnd }
            if j == n || scalars < 2 { return j }
            return lastStart
        }
    }
}
