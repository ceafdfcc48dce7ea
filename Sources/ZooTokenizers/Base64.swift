/// A strict standard-alphabet base64 decoder, much faster than Foundation per short line.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Appends the decoded bytes of `text` to `out`; `false` (with `out` partly written) when
    /// `text` is not canonical padded base64.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        let n = text.count
        guard n % 4 == 0 else { return false }
        var i = 0
        while i < n {
            let a = values[Int(text[i])], b = values[Int(text[i + 1])]
            guard a != 0xFF, b != 0xFF else { return false }
            out.append(a << 2 | b >> 4)
            let isLast = i + 4 == n
            if isLast && text[i + 2] == UInt8(ascii: "=") {
                guard text[i + 3] == UInt8(ascii: "="), b & 0x0F == 0 else { return false }
                return true
            }
            let c = values[Int(text[i + 2])]
            guard c != 0xFF else { return false }
            out.append(b << 4 | c >> 2)
            if isLast && text[i + 3] == UInt8(ascii: "=") {
                guard c & 0x03 == 0 else { return false }
                return true
            }
            let d = values[Int(text[i + 3])]
            guard d != 0xFF else { return false }
            out.append(c << 6 | d)
            i += 4
        }
        return true
    }
}
