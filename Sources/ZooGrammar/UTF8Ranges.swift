/// Turns Unicode scalar ranges into the UTF-8 byte sequences that encode them, so that character
/// classes become byte-level terminals (a token may end in the middle of a character).
enum UTF8Ranges {
    /// The byte-range sequences whose concatenations are exactly the UTF-8 encodings of the scalars
    /// in `ranges` (surrogates excluded).
    static func sequences(_ ranges: [ClosedRange<UInt32>]) -> [[ClosedRange<UInt8>]] {
        var out: [[ClosedRange<UInt8>]] = []
        for r in merged(ranges) {
            for piece in withoutSurrogates(r) {
                var pending = [piece]
                while let next = pending.popLast() {
                    split(next, into: &out, pending: &pending)
                }
            }
        }
        return out
    }

    /// The scalars not in `ranges` (for `[^…]` and `.`).
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in merged(ranges) {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = max(next, r.upperBound &+ 1)
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }

    static func merged(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let clipped = r.lowerBound...min(r.upperBound, 0x10FFFF)
            guard clipped.lowerBound <= 0x10FFFF else { continue }
            if let last = out.last, clipped.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, clipped.upperBound)
            } else {
                out.append(clipped)
            }
        }
        return out
    }

    private static func withoutSurrogates(_ r: ClosedRange<UInt32>) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        if r.lowerBound < 0xD800 { out.append(r.lowerBound...min(r.upperBound, 0xD7FF)) }
        if r.upperBound > 0xDFFF { out.append(max(r.lowerBound, 0xE000)...r.upperBound) }
        return out
    }

    private static func encodedLength(_ v: UInt32) -> Int {
        v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4
    }

    private static func encode(_ v: UInt32) -> [UInt8] {
        Array(String(Character(Unicode.Scalar(v)!)).utf8)
    }

    /// Emits `r` if its bounds share every byte but a trailing run of full continuation ranges;
    /// otherwise splits it into ranges that do.
    private static func split(_ r: ClosedRange<UInt32>, into out: inout [[ClosedRange<UInt8>]],
                              pending: inout [ClosedRange<UInt32>]) {
        let (lo, hi) = (r.lowerBound, r.upperBound)
        // One encoded length per range.
        for boundary: UInt32 in [0x7F, 0x7FF, 0xFFFF] where lo <= boundary && hi > boundary {
            pending.append((boundary + 1)...hi)
            pending.append(lo...boundary)
            return
        }
        let n = encodedLength(lo)
        if n > 1 {
            for k in 1..<n {
                let mask: UInt32 = (1 << (6 * UInt32(k))) - 1
                if lo & ~mask != hi & ~mask {
                    if lo & mask != 0 {
                        pending.append(((lo | mask) + 1)...hi)
                        pending.append(lo...(lo | mask))
                        return
                    }
                    if hi & mask != mask {
                        pending.append((hi & ~mask)...hi)
                        pending.append(lo...((hi & ~mask) - 1))
                        return
                    }
                }
            }
        }
        let a = encode(lo), b = encode(hi)
        out.append(zip(a, b).map { $0...$1 })
    }
}
