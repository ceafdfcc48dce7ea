import Foundation

/// Parses tiktoken ranks files: one `base64(token bytes) SP rank` per line.
enum TiktokenLoader {
    /// The vocabulary in `url`, with token id = rank.
    static func load(_ url: URL) throws(TokenizerLoadError) -> TokenVocabulary {
        let data = try FileContents.bytes(url)
        func fail(_ line: Int, _ reason: String) -> TokenizerLoadError {
            TokenizerLoadError(path: url.path, location: .line(line), reason: reason)
        }
        var storage: [UInt8] = []
        storage.reserveCapacity(data.count * 3 / 4)
        var ranges: [UInt64] = []
        ranges.reserveCapacity(data.count / 8)
        var lineOfRank: [Int32] = []

        let result: TokenizerLoadError? = data.withUnsafeBufferPointer { bytes in
            var lineNumber = 0
            var position = 0
            let n = bytes.count
            while position < n {
                lineNumber += 1
                var end = position
                while end < n && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                defer { position = end + 1 }
                var lineEnd = end
                if lineEnd > position && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if lineEnd == position { continue }  // blank lines are ignored, as tiktoken does
                let line = UnsafeBufferPointer(rebasing: bytes[position..<lineEnd])
                if line.contains(where: { $0 >= 0x80 }) {
                    return String(validating: line, as: UTF8.self) == nil
                        ? fail(lineNumber, "not valid UTF-8")
                        : fail(lineNumber, "unexpected non-ASCII character")
                }
                guard let space = line.firstIndex(of: UInt8(ascii: " ")) else {
                    return fail(lineNumber, "missing rank (expected '<base64 token> <rank>')")
                }
                let token = UnsafeBufferPointer(rebasing: line[..<space])
                let rankText = UnsafeBufferPointer(rebasing: line[(space + 1)...])
                guard !token.isEmpty else { return fail(lineNumber, "empty token") }
                guard !rankText.isEmpty else { return fail(lineNumber, "missing rank") }
                var rank = 0
                for digit in rankText {
                    guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else {
                        return fail(lineNumber, "rank '\(String(decoding: rankText, as: UTF8.self))' is not a non-negative integer")
                    }
                    rank = rank * 10 + Int(digit - UInt8(ascii: "0"))
                    guard rank < Int(Int32.max) else { return fail(lineNumber, "rank is too large") }
                }
                // Ranks run from 0 without gaps and each takes a line of at least 4 bytes ("IQ 0"),
                // so a larger rank is a lie that must not size the tables.
                guard rank <= n / 4 else {
                    return fail(lineNumber, "rank \(rank) is more than a \(n)-byte file can hold without gaps")
                }
                let start = storage.count
                guard Base64.decode(token, into: &storage) else {
                    return fail(lineNumber, "invalid base64 '\(String(decoding: token, as: UTF8.self))'")
                }
                if rank >= ranges.count {
                    ranges.append(contentsOf: repeatElement(0, count: rank + 1 - ranges.count))
                    lineOfRank.append(contentsOf: repeatElement(0, count: rank + 1 - lineOfRank.count))
                }
                guard ranges[rank] == 0 else {
                    return fail(lineNumber, "duplicate rank \(rank) (first used on line \(lineOfRank[rank]))")
                }
                ranges[rank] = UInt64(start) << 32 | UInt64(storage.count - start)
                lineOfRank[rank] = Int32(lineNumber)
            }
            return nil
        }
        if let result { throw result }
        guard !ranges.isEmpty else { throw TokenizerLoadError(path: url.path, reason: "no tokens") }
        // A cut-off download ends mid-line; a file edited by hand may skip a rank. Both would
        // silently shift or lose ids, so both are errors.
        if data.last != UInt8(ascii: "\n") {
            let lines = data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } + 1
            throw fail(lines, "the last line has no newline: the file looks truncated")
        }
        if let missing = ranges.firstIndex(of: 0) {
            throw TokenizerLoadError(
                path: url.path, reason: "rank \(missing) is missing (ranks must run from 0 to \(ranges.count - 1) without gaps)")
        }
        do {
            return try TokenVocabulary(storage: storage, ranges: ranges)
        } catch {
            throw fail(Int(lineOfRank[error.secondID]),
                       "duplicate token: same bytes as rank \(error.firstID) on line \(lineOfRank[error.firstID])")
        }
    }
}
