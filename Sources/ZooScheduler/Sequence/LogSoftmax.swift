import Foundation

/// Log-probabilities from a row of raw logits: `ln softmax(row)`, summed in Double in index order,
/// so the same row always gives the same bits whatever else ran in its batch.
enum LogSoftmax {
    /// `ln p(chosen)` and the `top` most likely ids (most likely first, ties to the lower id).
    /// Masked entries (`-∞`) have probability 0 and are never listed.
    static func logprobs(_ row: [Float], chosen: Int, top: Int) -> (logprob: Float, top: [TokenLogprob]) {
        var maxValue = -Float.infinity
        for x in row where x > maxValue { maxValue = x }
        guard maxValue.isFinite else { return (-.infinity, []) }
        var sum = 0.0
        for x in row where x > -.infinity { sum += exp(Double(x) - Double(maxValue)) }
        let logNormalizer = Double(maxValue) + log(sum)
        func logprob(_ i: Int) -> Float { Float(Double(row[i]) - logNormalizer) }
        return (logprob(chosen), mostLikely(row, top).map { TokenLogprob(id: $0, logprob: logprob($0)) })
    }

    /// The indices of the `k` largest finite values, largest first (a small sorted insertion list).
    private static func mostLikely(_ row: [Float], _ count: Int) -> [Int] {
        let k = min(count, row.count)
        guard k > 0 else { return [] }
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for (i, x) in row.enumerated() where x > -.infinity {
            if best.count == k, x <= row[best[k - 1]] { continue }
            var at = best.count
            while at > 0, row[best[at - 1]] < x { at -= 1 }
            best.insert(i, at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
