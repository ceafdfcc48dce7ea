/// The character classes the Qwen pre-tokenizer pattern distinguishes.
enum ScalarClass: UInt8 {
    /// `\p{L}`: any letter.
    case letter
    /// `\p{N}`: any number.
    case number
    /// `\r` or `\n` (also `\s`).
    case newline
    /// `\s` other than `\r`/`\n`: the Unicode White_Space property.
    case space
    /// Everything else: `[^\s\p{L}\p{N}]`.
    case other

    /// Classifies a scalar, with table and range fast paths for common scripts.
    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        // ASCII by comparisons: a static table would cost a lazy-initialization check per call.
        if value < 128 {
            if value &- 0x61 < 26 || value &- 0x41 < 26 { return .letter }
            if value &- 0x30 < 10 { return .number }
            if value == 0x20 || value == 0x09 || value == 0x0B || value == 0x0C { return .space }
            if value == 0x0A || value == 0x0D { return .newline }
            return .other
        }
        // CJK Unified Ideographs and Hangul syllables are all letters (Lo).
        if value >= 0x4E00 && value <= 0x9FFF { return .letter }
        if value >= 0xAC00 && value <= 0xD7A3 { return .letter }
        return ScalarClass(classifying: Unicode.Scalar(value)!)
    }

    init(classifying scalar: Unicode.Scalar) {
        if scalar == "\r" || scalar == "\n" {
            self = .newline
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            self = .space
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        default:
            self = .other
        }
    }
}
