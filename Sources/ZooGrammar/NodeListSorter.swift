/// Puts the automaton's node lists in their canonical form (ascending, no repeats), the key under
/// which a configuration is interned.
///
/// It does not call the standard library's `sort()`: unspecialized, as in debug and fuzz builds, that
/// sort allocates on every comparison, and an ambiguous grammar's step sorts thousands of nodes
/// (issue #18's slow fuzz inputs spent 85% of their time there). Short lists use an insertion
/// sort; long ones an LSD radix sort of three 11-bit digits, skipping the digits all keys share.
struct NodeListSorter {
    private static let digitBits = 11
    private static let buckets = 1 << digitBits
    private static let insertionLimit = 48

    private var scratch: [Int32] = []
    private var counts = [Int](repeating: 0, count: NodeListSorter.buckets)

    /// Sorts `nodes` ascending and drops repeated values.
    mutating func sortUnique(_ nodes: inout [Int32]) {
        if nodes.count > 1 {
            if nodes.count <= Self.insertionLimit {
                insertionSort(&nodes)
            } else {
                radixSort(&nodes)
            }
        }
        var kept = 0
        for i in 0..<nodes.count where kept == 0 || nodes[kept - 1] != nodes[i] {
            nodes[kept] = nodes[i]
            kept += 1
        }
        nodes.removeLast(nodes.count - kept)
    }

    private func insertionSort(_ a: inout [Int32]) {
        for i in 1..<a.count {
            let v = a[i]
            var j = i
            while j > 0 && a[j - 1] > v {
                a[j] = a[j - 1]
                j -= 1
            }
            a[j] = v
        }
    }

    /// Sorts by the value's bits with the sign flipped, so negative markers (the sentinel) come first
    /// as they do in numeric order.
    private mutating func radixSort(_ a: inout [Int32]) {
        @inline(__always) func key(_ v: Int32) -> UInt32 { UInt32(bitPattern: v) ^ 0x8000_0000 }
        if scratch.count < a.count { scratch = [Int32](repeating: 0, count: a.count) }
        var fromScratch = false  // whether the sorted-so-far data is in `scratch`
        for pass in 0..<3 {
            let shift = UInt32(pass * Self.digitBits)
            let mask = UInt32(Self.buckets - 1)
            for b in 0..<Self.buckets { counts[b] = 0 }
            var distinctDigits = 0
            for i in 0..<a.count {
                let v = fromScratch ? scratch[i] : a[i]
                let d = Int((key(v) >> shift) & mask)
                if counts[d] == 0 { distinctDigits += 1 }
                counts[d] += 1
            }
            if distinctDigits == 1 { continue }
            var start = 0
            for b in 0..<Self.buckets {
                let c = counts[b]
                counts[b] = start
                start += c
            }
            if fromScratch {
                for i in 0..<a.count {
                    let v = scratch[i]
                    let d = Int((key(v) >> shift) & mask)
                    a[counts[d]] = v
                    counts[d] += 1
                }
            } else {
                for i in 0..<a.count {
                    let v = a[i]
                    let d = Int((key(v) >> shift) & mask)
                    scratch[counts[d]] = v
                    counts[d] += 1
                }
            }
            fromScratch.toggle()
        }
        if fromScratch {
            for i in 0..<a.count { a[i] = scratch[i] }
        }
    }
}
