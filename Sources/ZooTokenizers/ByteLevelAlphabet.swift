/// GPT-2's `bytes_to_unicode` table, which Hugging Face byte-level BPE files use to spell raw
/// bytes as printable characters (space is `Ġ`, newline is `Ċ`).
enum ByteLevelAlphabet {
    /// The character standing for each byte value.
    static let characters: [Unicode.Scalar] = {
        var printable: [UInt8] = []
        printable += Array(UInt8(ascii: "!")...UInt8(ascii: "~"))
        printable += Array(UInt8(0xA1)...UInt8(0xAC))
        printable += Array(UInt8(0xAE)...UInt8(0xFF))
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var isPrintable = [Bool](repeating: false, count: 256)
        for b in printable {
            table[Int(b)] = Unicode.Scalar(b)
            isPrintable[Int(b)] = true
        }
        // Remaining bytes go, in ascending order, to U+0100 and up.
        var next: UInt32 = 256
        for b in 0..<256 where !isPrintable[b] {
            table[b] = Unicode.Scalar(next)!
            next += 1
        }
        return table
    }()

    /// The byte each alphabet character stands for, indexed by scalar value (-1: none).
    /// An array, not a dictionary: loading decodes a million characters.
    static let bytes: [Int16] = {
        var map = [Int16](repeating: -1, count: 0x144)
        for (b, c) in characters.enumerated() { map[Int(c.value)] = Int16(b) }
        return map
    }()

    /// Converts a byte-level spelled token back to raw bytes.
    ///
    /// Characters outside the alphabet (possible in hand-written vocabularies) keep their
    /// own UTF-8 bytes, which is what Hugging Face's ByteLevel decoder does too.
    static func decode(_ token: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            if scalar.value < 0x144, bytes[Int(scalar.value)] >= 0 {
                out.append(UInt8(bytes[Int(scalar.value)]))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }
}
