import Foundation

/// Unicode NFC, which Qwen's tokenizers apply before encoding.
enum CanonicalComposition {
    /// `text` in NFC; skips Foundation when every scalar is one NFC never changes.
    static func nfc(_ text: String) -> String {
        var utf8 = text.utf8
        let stable = utf8.withContiguousStorageIfAvailable(isStable) ?? {
            utf8 = String(text).utf8
            return Array(utf8).withUnsafeBufferPointer(isStable)
        }()
        return stable ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Whether every scalar is a starter that NFC leaves alone and that nothing composes with:
    /// U+0000–U+02FF, common punctuation, CJK ideographs and Hangul syllables.
    private static func isStable(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0xCC {  // everything below U+0300 (continuation bytes included)
                i += 1
                continue
            }
            guard b0 >= 0xE0, b0 < 0xF0, i + 2 < n else { return false }
            let value = UInt32(b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
            switch value {
            case 0x2010...0x2027, 0x3000...0x3029, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xFF01...0xFF5E:
                i += 3
            default:
                return false
            }
        }
        return true
    }
}
