import Foundation
import ZooCore

/// One candidate token and its current score.
public struct TokenCandidate: Sendable, Equatable {
    public var id: Int32
    public var logit: Float

    public init(id: Int32, logit: Float) {
        self.id = id
        self.logit = logit
    }

    /// The chain's total order: higher logit first, ties to the lower id (as `torch.argmax`).
    @inline(__always)
    static func ranksBefore(_ a: TokenCandidate, _ b: TokenCandidate) -> Bool {
        a.logit > b.logit || (a.logit == b.logit && a.id < b.id)
    }
}

/// Logits that cannot be sampled.
public enum SamplingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A logit is NaN or +∞ (the model's output is broken).
    case invalidLogit(token: Int, value: Float)
    /// Every logit is -∞, so no token can be chosen.
    case noFiniteLogit
    /// The logits row is empty.
    case emptyLogits

    public var description: String {
        switch self {
        case .invalidLogit(let token, let value):
            "the logit of token \(token) is \(value); logits must be finite (or -inf to exclude a token)"
        case .noFiniteLogit: "every logit is -inf; no token can be chosen"
        case .emptyLogits: "the logits row is empty"
        }
    }
}

/// The tokens still in the running at one sampling step, and their scores.
///
/// A stage narrows or rescores the set; the chain then draws from what survives. The set starts
/// *dense* (every token of the vocabulary, candidate `i` being token `i`, no copy of the model's
/// row) and becomes a compact list once a stage removes or reorders tokens, so that later stages
/// only touch the survivors. Removing a token either drops it from the list or sets its logit
/// to -∞; both count as "not kept". Buffers are sized to the vocabulary once and reused, so a step
/// allocates nothing.
public struct SamplerCandidates {
    /// The width of the logits row.
    public private(set) var vocabularySize = 0
    /// How many candidates there are (some may have a -∞ logit).
    public private(set) var count = 0
    /// Whether candidate `i` is token `i` for the whole vocabulary.
    public private(set) var isDense = true
    /// The first `sortedCount` candidates are the best ones, in the chain's order (logit
    /// descending, ties to the lower id).
    public private(set) var sortedCount = 0
    /// The index of the candidate a selecting stage (greedy, mirostat) chose.
    public var selected: Int?

    var row: [Float] = []
    var items: [TokenCandidate] = []
    var probs: [Float] = []
    public private(set) var hasProbabilities = false
    /// The maximum logit while it is known (set by `load`, forgotten on any change).
    private var knownMax: Float?

    /// Forgets what was derived from the logits (probabilities, maximum).
    @inline(__always)
    private mutating func invalidate() {
        hasProbabilities = false
        knownMax = nil
    }

    public init() {}

    /// A set over `logits`, for tests and custom drivers (``SamplerChain`` reuses its own).
    public init(logits: [Float]) throws {
        var copy = logits
        try load(swapping: &copy)
    }

    /// Takes `logits` as the dense row (by exchanging buffers, not copying) after checking it.
    mutating func load(swapping logits: inout [Float]) throws {
        guard !logits.isEmpty else { throw SamplingError.emptyLogits }
        // One pass: count NaN / +inf (both fail `v < inf`) and find the maximum.
        let (bad, top): (Int, Float) = logits.withUnsafeBufferPointer { p in
            var bad = 0
            var top = -Float.infinity
            for v in p {
                bad &+= v < .infinity ? 0 : 1
                top = v > top ? v : top
            }
            return (bad, top)
        }
        if bad > 0, let i = logits.firstIndex(where: { !($0 < .infinity) }) {
            throw SamplingError.invalidLogit(token: i, value: logits[i])
        }
        guard top > -.infinity else { throw SamplingError.noFiniteLogit }
        knownMax = top
        swap(&row, &logits)
        vocabularySize = row.count
        if items.count < vocabularySize {
            items = Array(repeating: TokenCandidate(id: 0, logit: 0), count: vocabularySize)
            probs = Array(repeating: 0, count: vocabularySize)
        }
        count = vocabularySize
        isDense = true
        sortedCount = 0
        selected = nil
        hasProbabilities = false
    }

    // MARK: Reading

    /// The candidate at `index` (0..<count).
    public subscript(index: Int) -> TokenCandidate {
        isDense ? TokenCandidate(id: Int32(index), logit: row[index]) : items[index]
    }

    /// The candidates as a list, in their current order (allocates; for tests and traces).
    public var all: [TokenCandidate] { (0..<count).map { self[$0] } }

    /// The logits over the whole vocabulary: removed tokens are -∞ (allocates; for tests).
    public var denseLogits: [Float] {
        if isDense { return row }
        var out = [Float](repeating: -.infinity, count: vocabularySize)
        for i in 0..<count { out[Int(items[i].id)] = items[i].logit }
        return out
    }

    /// How many candidates have a finite logit.
    public var finiteCount: Int {
        var n = 0
        forEachLogit { _, l in if l > -.infinity { n += 1 } }
        return n
    }

    /// Calls `body(id, logit)` for every candidate in order.
    @inline(__always)
    public func forEachLogit(_ body: (Int, Float) -> Void) {
        if isDense {
            row.withUnsafeBufferPointer { p in for i in 0..<count { body(i, p[i]) } }
        } else {
            items.withUnsafeBufferPointer { p in for i in 0..<count { body(Int(p[i].id), p[i].logit) } }
        }
    }

    /// The highest logit.
    public func maxLogit() -> Float {
        if let knownMax { return knownMax }
        if sortedCount > 0 { return self[0].logit }
        var m = -Float.infinity
        if isDense {
            row.withUnsafeBufferPointer { p in for i in 0..<count { m = p[i] > m ? p[i] : m } }
        } else {
            items.withUnsafeBufferPointer { p in for i in 0..<count { m = p[i].logit > m ? p[i].logit : m } }
        }
        return m
    }

    /// The index of the best candidate (highest logit, ties to the lower id).
    public func bestIndex() -> Int {
        if sortedCount > 0 { return 0 }
        if isDense {
            // The first index holding the maximum is the lowest id among ties.
            let m = maxLogit()
            return row.withUnsafeBufferPointer { p in (0..<count).first { p[$0] == m } ?? 0 }
        }
        var best = 0
        var bestItem = self[0]
        for i in 1..<max(count, 1) {
            let c = self[i]
            if TokenCandidate.ranksBefore(c, bestItem) {
                best = i
                bestItem = c
            }
        }
        return best
    }

    /// The softmax of the candidates' logits, computed once until the logits change.
    /// Probabilities are Float; sums are accumulated in Double.
    public mutating func computeProbabilities() {
        if hasProbabilities { return }
        let total = fillExponentials()
        let n = count
        let scale = Float(1 / total)
        probs.withUnsafeMutableBufferPointer { pr in
            for i in 0..<n { pr[i] *= scale }
        }
        hasProbabilities = true
    }

    /// The probability of the candidate at `index`; call ``computeProbabilities()`` first.
    public func probability(at index: Int) -> Float {
        precondition(hasProbabilities, "computeProbabilities() first")
        return probs[index]
    }

    /// The Shannon entropy (nats) of the candidates' softmax.
    public mutating func entropy() -> Double {
        computeProbabilities()
        var h = 0.0
        for i in 0..<count where probs[i] > 0 {
            let p = Double(probs[i])
            h -= p * log(p)
        }
        return h
    }

    // MARK: Rescoring

    /// Changes the logit of the candidate at `index`.
    public mutating func setLogit(_ value: Float, at index: Int) {
        if isDense { row[index] = value } else { items[index].logit = value }
        invalidate()
        sortedCount = 0
    }

    /// Rewrites every logit through `body(id, &logit)`. Pass `preservesOrder: true` only for a
    /// strictly increasing map (a positive temperature), which keeps a sorted prefix sorted.
    @inline(__always)
    public mutating func updateLogits(preservesOrder: Bool = false, _ body: (Int, inout Float) -> Void) {
        let n = count
        if isDense {
            row.withUnsafeMutableBufferPointer { p in for i in 0..<n { body(i, &p[i]) } }
        } else {
            items.withUnsafeMutableBufferPointer { p in for i in 0..<n { body(Int(p[i].id), &p[i].logit) } }
        }
        invalidate()
        if !preservesOrder { sortedCount = 0 }
    }

    /// Rewrites the logits of the tokens in `table` through `body(logit, value)`: directly by id
    /// while the set is dense, else by one pass over the candidates.
    mutating func adjust<Value>(_ table: TokenTable<Value>, _ body: (Float, Value) -> Float) {
        guard !table.touched.isEmpty else { return }
        if isDense {
            let v = vocabularySize
            row.withUnsafeMutableBufferPointer { p in
                for id in table.touched where Int(id) < v {
                    p[Int(id)] = body(p[Int(id)], table.values[Int(id)])
                }
            }
        } else {
            let n = count
            items.withUnsafeMutableBufferPointer { p in
                for i in 0..<n where table.contains(p[i].id) {
                    p[i].logit = body(p[i].logit, table.values[Int(p[i].id)])
                }
            }
        }
        invalidate()
        sortedCount = 0
    }

    // MARK: Removing

    /// Makes the set a compact list (a no-op once it is one).
    mutating func makeSparse() {
        guard isDense else { return }
        let n = count
        row.withUnsafeBufferPointer { r in
            items.withUnsafeMutableBufferPointer { p in
                for i in 0..<n { p[i] = TokenCandidate(id: Int32(i), logit: r[i]) }
            }
        }
        isDense = false
    }

    /// Removes the candidates for which `shouldRemove(candidate, index)` is true, keeping the
    /// order of the rest. If that would remove everything, the best candidate stays (the
    /// documented fallback for a cutoff that empties the set).
    public mutating func removeAll(where shouldRemove: (TokenCandidate, Int) -> Bool) {
        let n = count
        var kept = 0
        var keptSorted = 0
        var bestRemoved = TokenCandidate(id: -1, logit: -.infinity)
        let oldSorted = sortedCount
        if isDense {
            row.withUnsafeBufferPointer { r in
                items.withUnsafeMutableBufferPointer { p in
                    for i in 0..<n {
                        let c = TokenCandidate(id: Int32(i), logit: r[i])
                        if shouldRemove(c, i) {
                            if bestRemoved.id < 0 || TokenCandidate.ranksBefore(c, bestRemoved) { bestRemoved = c }
                        } else {
                            p[kept] = c
                            kept += 1
                        }
                    }
                }
            }
            isDense = false
        } else {
            items.withUnsafeMutableBufferPointer { p in
                for i in 0..<n {
                    let c = p[i]
                    if shouldRemove(c, i) {
                        if bestRemoved.id < 0 || TokenCandidate.ranksBefore(c, bestRemoved) { bestRemoved = c }
                    } else {
                        p[kept] = c
                        kept += 1
                        if i < oldSorted { keptSorted += 1 }
                    }
                }
            }
        }
        if kept == 0 {
            items[0] = bestRemoved
            kept = 1
            keptSorted = 1
        }
        count = kept
        sortedCount = keptSorted
        invalidate()
    }

    /// Removes the candidates whose logit is below `threshold` (at least one always stays).
    public mutating func removeAll(below threshold: Float) {
        guard isDense, maxLogit() >= threshold else {
            removeAll { c, _ in c.logit < threshold }
            return
        }
        // Dense fast path: one pass writing the survivors (the maximum always survives).
        let n = count
        var kept = 0
        row.withUnsafeBufferPointer { r in
            items.withUnsafeMutableBufferPointer { p in
                for i in 0..<n where !(r[i] < threshold) {
                    p[kept] = TokenCandidate(id: Int32(i), logit: r[i])
                    kept += 1
                }
            }
        }
        isDense = false
        count = kept
        sortedCount = 0
        invalidate()
    }

    /// Keeps only the candidates with a finite logit whose id `isAllowed`, in their order. Unlike
    /// ``keepOnly(_:)`` and the cutoffs, there is no fallback: a constraint must never let a token
    /// through, so the result may be empty. Returns how many candidates are kept.
    @discardableResult
    public mutating func restrict(to isAllowed: (Int) -> Bool) -> Int {
        let n = count
        var kept = 0
        if isDense {
            row.withUnsafeBufferPointer { r in
                items.withUnsafeMutableBufferPointer { p in
                    for i in 0..<n where r[i] > -.infinity && isAllowed(i) {
                        p[kept] = TokenCandidate(id: Int32(i), logit: r[i])
                        kept += 1
                    }
                }
            }
            isDense = false
            sortedCount = 0
        } else {
            var keptSorted = 0
            let oldSorted = sortedCount
            items.withUnsafeMutableBufferPointer { p in
                for i in 0..<n where p[i].logit > -.infinity && isAllowed(Int(p[i].id)) {
                    p[kept] = p[i]
                    kept += 1
                    if i < oldSorted { keptSorted += 1 }
                }
            }
            sortedCount = keptSorted
        }
        count = kept
        selected = nil
        invalidate()
        return kept
    }

    /// ``restrict(to:)`` for an allow-list of ids in ascending order: a dense set gathers just
    /// those ids instead of scanning the vocabulary.
    @discardableResult
    public mutating func restrict(toSorted allowed: [Int32]) -> Int {
        guard isDense else {
            return restrict { id in Self.sortedContains(allowed, Int32(id)) }
        }
        var kept = 0
        row.withUnsafeBufferPointer { r in
            items.withUnsafeMutableBufferPointer { p in
                for id in allowed where Int(id) < r.count && r[Int(id)] > -.infinity {
                    p[kept] = TokenCandidate(id: id, logit: r[Int(id)])
                    kept += 1
                }
            }
        }
        return gathered(kept)
    }

    /// ``restrict(to:)`` for a bitmask over the vocabulary (bit `id % 64` of word `id / 64`).
    @discardableResult
    public mutating func restrict(toBitmask words: [UInt64]) -> Int {
        guard isDense else {
            return restrict { id in id >> 6 < words.count && words[id >> 6] >> UInt64(id & 63) & 1 == 1 }
        }
        var kept = 0
        let n = min(count, words.count * 64)
        row.withUnsafeBufferPointer { r in
            items.withUnsafeMutableBufferPointer { p in
                words.withUnsafeBufferPointer { w in
                    var base = 0
                    while base < n {
                        var x = w[base >> 6]
                        while x != 0 {
                            let i = base + x.trailingZeroBitCount
                            x &= x - 1
                            if i < n, r[i] > -.infinity {
                                p[kept] = TokenCandidate(id: Int32(i), logit: r[i])
                                kept += 1
                            }
                        }
                        base += 64
                    }
                }
            }
        }
        return gathered(kept)
    }

    /// Ends a dense restriction: the first `kept` items are the survivors.
    private mutating func gathered(_ kept: Int) -> Int {
        isDense = false
        sortedCount = 0
        count = kept
        selected = nil
        invalidate()
        return kept
    }

    /// Whether `id` is in `ids`, which is in ascending order (binary search).
    public static func sortedContains(_ ids: [Int32], _ id: Int32) -> Bool {
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id
    }

    /// Sets the logits of `tokens` to -∞ (by id; ids outside the vocabulary are ignored). If that
    /// leaves nothing finite, the best of the masked candidates keeps its logit.
    public mutating func mask(_ tokens: some Collection<Int>) {
        if tokens.isEmpty { return }
        if isDense {
            var best = -1
            var bestLogit = -Float.infinity
            for t in tokens where t >= 0 && t < vocabularySize {
                let l = row[t]
                if l > bestLogit || (l == bestLogit && best >= 0 && t < best) {
                    best = t
                    bestLogit = l
                }
                row[t] = -.infinity
            }
            invalidate()
            sortedCount = 0
            if best >= 0 && !row.contains(where: { $0 > -.infinity }) { row[best] = bestLogit }
        } else {
            let set = Set(tokens)
            removeAll { c, _ in set.contains(Int(c.id)) }
        }
    }

    /// Keeps only the tokens in `allowed` (sorted, distinct ids). If none of them has a finite
    /// logit, the best candidate stays instead.
    public mutating func keepOnly(_ allowed: [Int]) {
        if isDense {
            let best = bestIndex()
            var k = 0
            var anyFinite = false
            for id in allowed where id >= 0 && id < vocabularySize {
                items[k] = TokenCandidate(id: Int32(id), logit: row[id])
                anyFinite = anyFinite || row[id] > -.infinity
                k += 1
            }
            if !anyFinite {
                items[0] = TokenCandidate(id: Int32(best), logit: row[best])
                k = 1
            }
            count = k
            isDense = false
            sortedCount = 0
            invalidate()
        } else {
            let best = self[bestIndex()]
            removeAll { c, _ in !Self.sortedContains(allowed, Int(c.id)) }
            if maxLogit() == -.infinity {
                items[0] = best
                count = 1
                sortedCount = 1
            }
        }
    }

    static func sortedContains(_ ids: [Int], _ id: Int) -> Bool {
        var lo = 0
        var hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id
    }

    /// Removes the first `k` candidates (the set must be sorted that far).
    mutating func removeFirst(_ k: Int) {
        precondition(k <= sortedCount && k < count, "removeFirst(_:) needs a sorted prefix and a survivor")
        guard k > 0 else { return }
        let n = count
        items.withUnsafeMutableBufferPointer { p in
            for i in k..<n { p[i - k] = p[i] }
        }
        count -= k
        sortedCount -= k
        invalidate()
    }

    // MARK: Ordering

    /// Ensures the first `m` candidates are the best `m`, in order (selection, not a full sort).
    public mutating func sortPrefix(_ m: Int) {
        let m = min(m, count)
        if m <= sortedCount { return }
        makeSparse()
        let lo = sortedCount
        let n = count
        items.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            if m < n { Self.select(base, lo, n, m) }
            var prefix = UnsafeMutableBufferPointer(start: base + lo, count: m - lo)
            prefix.sort(by: TokenCandidate.ranksBefore)
        }
        sortedCount = m
        invalidate()  // probabilities follow positions
    }

    /// Sorts every candidate.
    public mutating func sort() { sortPrefix(count) }

    /// Keeps the best `k` candidates (in order), by a heap over the dense row when `k` is small.
    public mutating func keepBest(_ k: Int) {
        let k = max(1, k)
        if k >= count { return }
        if isDense && k <= 4096 {
            selectTopFromRow(k)
        } else {
            sortPrefix(k)
        }
        count = k
        sortedCount = k
        invalidate()
    }

    /// The best `k` of the dense row into `items[0..<k]`, sorted: one pass with a min-heap.
    private mutating func selectTopFromRow(_ k: Int) {
        let n = count
        row.withUnsafeBufferPointer { r in
            items.withUnsafeMutableBufferPointer { heap in
                // The heap's root is the worst kept candidate. Ids arrive in increasing order, so
                // a newcomer that ties the root ranks after it and is skipped.
                @inline(__always) func worse(_ a: TokenCandidate, _ b: TokenCandidate) -> Bool {
                    TokenCandidate.ranksBefore(b, a)
                }
                func siftDown(_ start: Int) {
                    var i = start
                    while true {
                        let l = 2 * i + 1
                        if l >= k { return }
                        var w = l
                        if l + 1 < k && worse(heap[l + 1], heap[l]) { w = l + 1 }
                        if worse(heap[w], heap[i]) {
                            heap.swapAt(w, i)
                            i = w
                        } else {
                            return
                        }
                    }
                }
                for i in 0..<k { heap[i] = TokenCandidate(id: Int32(i), logit: r[i]) }
                var i = k / 2
                while i > 0 {
                    i -= 1
                    siftDown(i)
                }
                var rootLogit = heap[0].logit
                for i in k..<n where r[i] > rootLogit {
                    heap[0] = TokenCandidate(id: Int32(i), logit: r[i])
                    siftDown(0)
                    rootLogit = heap[0].logit
                }
                var top = UnsafeMutableBufferPointer(rebasing: heap[0..<k])
                top.sort(by: TokenCandidate.ranksBefore)
            }
        }
        isDense = false
    }

    /// Quickselect (median-of-three, Hoare partition): afterwards `p[lo..<m]` holds the best
    /// `m - lo` of `p[lo..<n]` (unordered) and everything after ranks below them.
    private static func select(_ p: UnsafeMutablePointer<TokenCandidate>, _ lo: Int, _ n: Int, _ m: Int) {
        var left = lo
        var right = n - 1
        while right > left {
            if right - left < 16 {
                var small = UnsafeMutableBufferPointer(start: p + left, count: right - left + 1)
                small.sort(by: TokenCandidate.ranksBefore)
                return
            }
            let mid = left + (right - left) / 2
            if TokenCandidate.ranksBefore(p[mid], p[left]) { swap(&p[mid], &p[left]) }
            if TokenCandidate.ranksBefore(p[right], p[left]) { swap(&p[right], &p[left]) }
            if TokenCandidate.ranksBefore(p[right], p[mid]) { swap(&p[right], &p[mid]) }
            let pivot = p[mid]
            var i = left
            var j = right
            while i <= j {
                while TokenCandidate.ranksBefore(p[i], pivot) { i += 1 }
                while TokenCandidate.ranksBefore(pivot, p[j]) { j -= 1 }
                if i <= j {
                    swap(&p[i], &p[j])
                    i += 1
                    j -= 1
                }
            }
            // Now p[left...j] rank before-or-equal the pivot, p[i...right] after-or-equal.
            if m - 1 <= j {
                right = j
            } else if m - 1 >= i {
                left = i
            } else {
                return
            }
        }
    }

    /// Keeps the first `k` candidates (the set must be sorted that far).
    mutating func truncate(to k: Int) {
        precondition(k <= sortedCount || k >= count, "truncate(to:) needs a sorted prefix")
        if k >= count { return }
        makeSparse()
        count = max(1, k)
        sortedCount = min(sortedCount, count)
        invalidate()
    }

    // MARK: Drawing

    /// Writes `exp(logit − max)` of every candidate into `probs` and returns their sum (in Double):
    /// the shared first half of a softmax and of a draw.
    private mutating func fillExponentials() -> Double {
        let m = maxLogit()
        var total = 0.0
        let n = count
        let dense = isDense
        probs.withUnsafeMutableBufferPointer { pr in
            if dense {
                row.withUnsafeBufferPointer { p in
                    for i in 0..<n {
                        let e = expf(p[i] - m)
                        pr[i] = e
                        total += Double(e)
                    }
                }
            } else {
                items.withUnsafeBufferPointer { p in
                    for i in 0..<n {
                        let e = expf(p[i].logit - m)
                        pr[i] = e
                        total += Double(e)
                    }
                }
            }
        }
        return total
    }

    /// Draws an index with probability softmax(logit), consuming one uniform double from
    /// `random` when there is more than one candidate. Walks the candidates in their order,
    /// accumulating in Double; returns the index and its probability.
    public mutating func draw(using random: inout SeededRandom) -> (index: Int, probability: Double) {
        if count == 1 { return (0, 1) }
        let total = fillExponentials()
        let n = count
        invalidate()
        let u = random.nextDouble() * total
        var acc = 0.0
        var last = 0
        let picked: Int? = probs.withUnsafeBufferPointer { pr in
            for i in 0..<n where pr[i] > 0 {
                acc += Double(pr[i])
                last = i
                if acc > u { return i }
            }
            return nil
        }
        let index = picked ?? last
        return (index, Double(probs[index]) / total)
    }
}

/// A reusable token-id → value table with a list of the ids set, so that clearing costs the
/// number of ids set rather than the vocabulary.
struct TokenTable<Value> {
    var values: [Value] = []
    var present: [Bool] = []
    var touched: [Int32] = []
    let zero: Value

    init(zero: Value) { self.zero = zero }

    @inline(__always)
    func contains(_ id: Int32) -> Bool { Int(id) < present.count && present[Int(id)] }

    mutating func clear() {
        for id in touched {
            values[Int(id)] = zero
            present[Int(id)] = false
        }
        touched.removeAll(keepingCapacity: true)
    }

    /// Updates `id`'s value (starting from `zero`), growing the table for large ids.
    @inline(__always)
    mutating func update(_ id: Int, _ body: (inout Value) -> Void) {
        guard id >= 0 else { return }
        if id >= values.count {
            let newCount = max(id + 1, values.count * 2, 1024)
            values += Array(repeating: zero, count: newCount - values.count)
            present += Array(repeating: false, count: newCount - present.count)
        }
        if !present[id] {
            present[id] = true
            touched.append(Int32(id))
        }
        body(&values[id])
    }
}
