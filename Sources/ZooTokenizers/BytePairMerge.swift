/// How two adjacent parts of a piece merge: `rank << 32 | merged id`, or `UInt64.max`.
protocol MergeRule {
    /// `leftID`/`rightID` are the parts' ids; `start..<end` are the bytes they cover together.
    func merge(_ leftID: Int32, _ rightID: Int32, _ start: Int, _ end: Int) -> UInt64
}

/// tiktoken's rule: two parts merge when their concatenated bytes are a token; rank = id.
struct RankMergeRule: MergeRule {
    let vocabulary: TokenVocabulary.View
    let piece: UnsafePointer<UInt8>

    @inline(__always)
    func merge(_ leftID: Int32, _ rightID: Int32, _ start: Int, _ end: Int) -> UInt64 {
        let id = vocabulary.id(of: piece + start, end - start)
        return id < 0 ? .max : UInt64(UInt32(id)) << 32 | UInt64(UInt32(id))
    }
}

/// Hugging Face's rule: only pairs listed in the merges merge; rank = merge line.
struct PairMergeRule: MergeRule {
    let merges: MergeTable.View

    @inline(__always)
    func merge(_ leftID: Int32, _ rightID: Int32, _ start: Int, _ end: Int) -> UInt64 {
        merges.lookup(leftID, rightID)
    }
}

/// Byte-pair merging of one piece: repeatedly merge the adjacent pair with the lowest rank
/// (the leftmost on ties) until no pair merges.
enum BytePairMerge {
    /// Pieces up to this many parts use the quadratic scan (what tiktoken does); longer ones a heap.
    static let linearLimit = 48

    /// Merges `ids` (one per part; `starts[k]` is part k's first byte, `starts[count]` the end)
    /// and appends the resulting ids to `out`.
    @inline(__always)
    static func run<Rule: MergeRule>(
        ids: UnsafeMutablePointer<Int32>, starts: UnsafeMutablePointer<Int32>, count: Int,
        rule: Rule, into out: inout [Int]
    ) {
        if count <= linearLimit {
            linear(ids: ids, starts: starts, count: count, rule: rule, into: &out)
        } else {
            withHeap(ids: ids, starts: starts, count: count, rule: rule, into: &out)
        }
    }

    static func linear<Rule: MergeRule>(
        ids: UnsafeMutablePointer<Int32>, starts: UnsafeMutablePointer<Int32>, count: Int,
        rule: Rule, into out: inout [Int]
    ) {
        var n = count
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(n, 1)) { pairs in
            @inline(__always) func pair(_ k: Int) -> UInt64 {
                rule.merge(ids[k], ids[k + 1], Int(starts[k]), Int(starts[k + 2]))
            }
            for k in 0..<(n - 1) { pairs[k] = pair(k) }
            while n > 1 {
                var best = UInt64.max
                var at = -1
                for k in 0..<(n - 1) where pairs[k] >> 32 < best >> 32 {
                    best = pairs[k]
                    at = k
                }
                if at < 0 { break }
                ids[at] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
                // Remove part at+1 by shifting the tail left.
                var k = at + 1
                while k < n - 1 {
                    ids[k] = ids[k + 1]
                    if k < n - 2 { pairs[k] = pairs[k + 1] }
                    k += 1
                }
                k = at + 1
                while k < n {
                    starts[k] = starts[k + 1]
                    k += 1
                }
                n -= 1
                if at > 0 { pairs[at - 1] = pair(at - 1) }
                if at < n - 1 { pairs[at] = pair(at) }
            }
        }
        for k in 0..<n { out.append(Int(ids[k])) }
    }

    /// The same merge order in O(n log n): a linked list of parts and a lazy min-heap of pairs
    /// keyed by `rank << 32 | left part`, so ties go to the leftmost pair as in the linear scan.
    static func withHeap<Rule: MergeRule>(
        ids: UnsafeMutablePointer<Int32>, starts: UnsafeMutablePointer<Int32>, count n: Int,
        rule: Rule, into out: inout [Int]
    ) {
        // next[k]/prev[k]: neighbouring live parts (n / -1 at the ends); next[k] = -2 marks dead.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * n) { links in
            let next = links.baseAddress!, prev = next + n
            for k in 0..<n {
                next[k] = Int32(k + 1)
                prev[k] = Int32(k - 1)
            }
            var heap = MinHeap()
            heap.storage.reserveCapacity(n)
            // The bytes of two parts end where the live part after them starts (starts[n] = end).
            @inline(__always) func pair(_ k: Int) -> UInt64 {
                let r = Int(next[k])
                return rule.merge(ids[k], ids[r], Int(starts[k]), Int(starts[Int(next[r])]))
            }
            for k in 0..<(n - 1) {
                let p = pair(k)
                if p != .max { heap.push((p & 0xFFFF_FFFF_0000_0000) | UInt64(k)) }
            }
            while let top = heap.pop() {
                let k = Int(top & 0xFFFF_FFFF)
                guard next[k] >= 0, Int(next[k]) < n else { continue }
                let p = pair(k)
                guard p >> 32 == top >> 32 else { continue }  // stale entry (or no longer merges)
                let r = Int(next[k])
                ids[k] = Int32(truncatingIfNeeded: p & 0xFFFF_FFFF)
                next[k] = next[r]
                next[r] = -2
                if Int(next[k]) < n { prev[Int(next[k])] = Int32(k) }
                if prev[k] >= 0 {
                    let left = Int(prev[k])
                    let q = pair(left)
                    if q != .max { heap.push((q & 0xFFFF_FFFF_0000_0000) | UInt64(left)) }
                }
                if Int(next[k]) < n {
                    let q = pair(k)
                    if q != .max { heap.push((q & 0xFFFF_FFFF_0000_0000) | UInt64(k)) }
                }
            }
            var k = 0
            while k < n {
                out.append(Int(ids[k]))
                k = Int(next[k])
            }
        }
    }
}

/// A binary min-heap of packed keys.
struct MinHeap {
    var storage: [UInt64] = []

    mutating func push(_ value: UInt64) {
        storage.append(value)
        var i = storage.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if storage[parent] <= value { break }
            storage[i] = storage[parent]
            i = parent
        }
        storage[i] = value
    }

    mutating func pop() -> UInt64? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        let top = storage[0]
        let n = storage.count
        var i = 0
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n && storage[child + 1] < storage[child] { child += 1 }
            if storage[child] >= last { break }
            storage[i] = storage[child]
            i = child
        }
        storage[i] = last
        return top
    }
}
