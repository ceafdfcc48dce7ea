/// Hugging Face merge rules: `(left id, right id) → (merge rank, merged id)`.
///
/// An open-addressed table keyed by the packed id pair, because Swift's `Dictionary`
/// (SipHash) is several times slower on this hot path.
struct MergeTable: Sendable {
    private static let empty = UInt64.max
    private let keys: [UInt64]
    private let values: [UInt64]

    /// Builds the table; a later rule for the same pair replaces an earlier one, as in HF.
    init(_ rules: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)]) {
        var capacity = 16
        while capacity < rules.count * 2 { capacity <<= 1 }
        var keys = [UInt64](repeating: Self.empty, count: capacity)
        var values = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        for rule in rules {
            let key = Self.key(rule.left, rule.right)
            var i = Self.slot(key, mask)
            while keys[i] != Self.empty && keys[i] != key { i = (i + 1) & mask }
            keys[i] = key
            values[i] = UInt64(rule.rank) << 32 | UInt64(UInt32(bitPattern: rule.merged))
        }
        self.keys = keys
        self.values = values
    }

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    @inline(__always) static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    func withView<R>(_ body: (View) -> R) -> R {
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                body(View(keys: k.baseAddress!, values: v.baseAddress!, mask: k.count - 1))
            }
        }
    }

    /// Pointers into a ``MergeTable``; only valid inside ``withView(_:)``.
    struct View {
        let keys: UnsafePointer<UInt64>
        let values: UnsafePointer<UInt64>
        let mask: Int

        /// `rank << 32 | merged id`, or `UInt64.max` when the pair has no rule.
        @inline(__always) func lookup(_ a: Int32, _ b: Int32) -> UInt64 {
            let key = MergeTable.key(a, b)
            var i = MergeTable.slot(key, mask)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == MergeTable.empty { return .max }
                i = (i + 1) & mask
            }
        }
    }
}
