import Foundation

/// Unicode NFC, which Qwen's tokenizers apply before encoding.
///
/// Foundation's NFC is slow on megabytes of text, and almost all text is already NFC.
/// So only the stretches around scalars that NFC might change go through Foundation: text
/// can be cut before any *stable* scalar (a starter that is NFC itself and that no following
/// or preceding scalar composes with), and NFC applied to each part separately.
enum CanonicalComposition {
    /// `text` in NFC.
    static func nfc(_ text: String) -> String {
        var utf8 = text
        return utf8.withUTF8 { bytes in
            guard let firstUnstable = nextUnstable(bytes, from: 0) else { return text }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            var copied = 0
            var position = firstUnstable.start
            var unstable: (start: Int, end: Int)? = firstUnstable
            while let run = unstable {
                // Combining marks attach to the preceding starter, so include the scalar before.
                var start = run.start
                if start > copied {
                    start -= 1
                    while start > copied && bytes[start] & 0xC0 == 0x80 { start -= 1 }
                }
                // Extend over consecutive unstable scalars.
                var end = run.end
                while let more = nextUnstable(bytes, from: end), more.start == end { end = more.end }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<start]))
                let stretch = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                out.append(contentsOf: stretch.precomposedStringWithCanonicalMapping.utf8)
                copied = end
                position = end
                unstable = nextUnstable(bytes, from: position)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The byte range of the first scalar at or after `from` that is not stable.
    private static func nextUnstable(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> (start: Int, end: Int)? {
        var i = from
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0xCC {  // every scalar below U+0300 is stable (continuation bytes included)
                i += 1
                continue
            }
            let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
            if length == 3 {
                let value = UInt32(b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                if isStable(value) {
                    i += 3
                    continue
                }
            }
            return (i, i + length)
        }
        return nil
    }

    /// Stable BMP scalars beyond U+02FF: common punctuation, CJK, kana and Hangul syllables.
    /// (Kana can take a following voicing mark, but that mark is itself unstable, and the
    /// scalar before an unstable run is always normalized along with it.)
    @inline(__always)
    private static func isStable(_ value: UInt32) -> Bool {
        switch value {
        case 0x2010...0x2027, 0x3000...0x3029, 0x3041...0x3096, 0x30A1...0x30FA,
             0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xFF01...0xFF5E:
            return true
        default:
            return false
        }
    }
}
