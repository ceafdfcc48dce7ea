/// Puts the automaton's node lists in their canonical form (ascending, no repeats), the key under
/// which a configuration is interned.
///
/// It does not call the standard library's `sort()`: unspecialized, as in debug and fuzz builds, that
/// sort allocates on every comparison, and an ambiguous grammar's step sorts thousands of nodes
/// (issue #18's slow fuzz inputs spent 85% of their time there). Short lists use an insertion
/// sort; long ones an LSD radix sort of their distance from the smallest, in 11-bit digits.
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

    /// Sorts by the distance from the smallest value, in as many 11-bit digits as the spread needs
    /// (node ids of one step are usually within a few thousand of each other: one or two passes).
    private mutating func radixSort(_ a: inout [Int32]) {
        let count = a.count
        var low = a[0], high = a[0]
        var i = 1
        while i < count {
            let v = a[i]
            if v < low { low = v }
            if v > high { high = v }
            i += 1
        }
        let spread = UInt32(bitPattern: high &- low)
        if spread == 0 { return }
        var passes = 0
        while passes < 3 && spread >> UInt32(passes * Self.digitBits) != 0 { passes += 1 }
        if scratch.count < count { scratch = [Int32](repeating: 0, count: count) }
        let mask = UInt32(Self.buckets - 1)
        var fromScratch = false  // whether the sorted-so-far data is in `scratch`
        for pass in 0..<passes {
            let shift = UInt32(pass * Self.digitBits)
            var b = 0
            while b < Self.buckets {
                counts[b] = 0
                b += 1
            }
            i = 0
            while i < count {
                let v = fromScratch ? scratch[i] : a[i]
                counts[Int((UInt32(bitPattern: v &- low) >> shift) & mask)] += 1
                i += 1
            }
            var start = 0
            b = 0
            while b < Self.buckets {
                let c = counts[b]
                counts[b] = start
                start += c
                b += 1
            }
            i = 0
            while i < count {
                let v = fromScratch ? scratch[i] : a[i]
                let d = Int((UInt32(bitPattern: v &- low) >> shift) & mask)
                if fromScratch { a[counts[d]] = v } else { scratch[counts[d]] = v }
                counts[d] += 1
                i += 1
            }
            fromScratch.toggle()
        }
        if fromScratch {
            i = 0
            while i < count {
                a[i] = scratch[i]
                i += 1
            }
        }
    }
}
