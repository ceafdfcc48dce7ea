/// Decimal integers within bounds, as grammar expressions (for JSON Schema's `minimum`,
/// `maximum`, `exclusiveMinimum` and `exclusiveMaximum`).
///
/// A range is split by sign and then by digit count; each same-length range becomes a prefix
/// tree of digit classes (`[1-3][0-9]{2}` and so on), with no leading zeros.
enum IntegerRangeGrammar {
    /// The most digits an unbounded integer may have (as llama.cpp: it keeps outputs finite).
    static let maxDigits = 16

    /// The integers in `lower...upper` (`nil`: unbounded on that side).
    static func integers(_ lower: Int64?, _ upper: Int64?) -> GrammarExpression {
        var options: [GrammarExpression] = []
        // Negative part: "-" and a magnitude in [max(1, -upper), -lower].
        if lower.map({ $0 < 0 }) ?? true {
            let lowMagnitude = max(1, upper.map { -$0 } ?? 1)
            let highMagnitude = lower.map { -$0 }
            if highMagnitude.map({ lowMagnitude <= $0 }) ?? true {
                options.append(.sequence([.text("-"), magnitudes(lowMagnitude, highMagnitude)]))
            }
        }
        // Non-negative part.
        if upper.map({ $0 >= 0 }) ?? true {
            options.append(magnitudes(max(0, lower ?? 0), upper))
        }
        return .either(options)
    }

    /// Non-negative integers in `lower...upper` without leading zeros.
    static func magnitudes(_ lower: Int64, _ upper: Int64?) -> GrammarExpression {
        var options: [GrammarExpression] = []
        let maxLength = upper.map { String($0).count } ?? maxDigits
        var power: Int64 = 1
        for length in 1...max(1, maxLength) {
            let lowL = max(lower, length == 1 ? 0 : power)
            let highL = min(upper ?? Int64.max, length >= 19 ? Int64.max : power * 10 - 1)
            if length < 19 { power = power * 10 }
            guard lowL <= highL, String(lowL).count == length else { continue }
            options.append(sameLength(Array(String(lowL).utf8), Array(String(highL).utf8)))
        }
        return options.isEmpty ? .text("0") : .either(options)
    }

    private static func digit(_ d: UInt8) -> GrammarExpression { .literal([UInt32(d)]) }

    private static func digits(_ low: UInt8, _ high: UInt8) -> GrammarExpression {
        low == high ? digit(low) : .characterClass(ranges: [UInt32(low)...UInt32(high)], negated: false)
    }

    /// Digit strings of one length between `lo` and `hi` (ASCII digits, `lo <= hi`).
    private static func sameLength(_ lo: [UInt8], _ hi: [UInt8]) -> GrammarExpression {
        guard let l0 = lo.first, let h0 = hi.first else { return .empty }
        let restLo = Array(lo.dropFirst()), restHi = Array(hi.dropFirst())
        if l0 == h0 { return .sequence([digit(l0), sameLength(restLo, restHi)]) }
        let zeros = [UInt8](repeating: UInt8(ascii: "0"), count: restLo.count)
        let nines = [UInt8](repeating: UInt8(ascii: "9"), count: restLo.count)
        var options: [GrammarExpression] = []
        var first = l0, last = h0
        if restLo != zeros {
            options.append(.sequence([digit(l0), sameLength(restLo, nines)]))
            first += 1
        }
        if restHi != nines { last -= 1 }
        if first <= last {
            options.append(.sequence([digits(first, last), digits(UInt8(ascii: "0"), UInt8(ascii: "9")).times(restLo.count, restLo.count)]))
        }
        if restHi != nines { options.append(.sequence([digit(h0), sameLength(zeros, restHi)])) }
        return .either(options)
    }
}
