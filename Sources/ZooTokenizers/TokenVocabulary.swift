/// Token bytes by id, plus a hash index from bytes back to id.
///
/// All tokens live in one flat byte array so that loading 151k tokens makes three allocations,
/// not 151k; lookups go through a ``View`` of unsafe pointers that is valid for one encode call.
struct TokenVocabulary: Sendable {
    /// Two ids spell the same bytes; loaders turn this into a ``TokenizerLoadError``.
    struct DuplicateBytes: Error {
        let firstID: Int
        let secondID: Int
    }

    /// Every token's bytes, back to back.
    let storage: [UInt8]
    /// Per id: `start << 32 | length`; 0 for ids that are not ordinary tokens.
    let ranges: [UInt64]
    /// Open-addressed index: 0 for an empty slot, else `hashTag << 32 | (id + 1)`.
    private let slots: [UInt64]

    /// Builds the index; `ranges` uses the same packing as the stored property.
    init(storage: [UInt8], ranges: [UInt64]) throws(DuplicateBytes) {
        self.storage = storage
        self.ranges = ranges
        var capacity = 16
        while capacity < ranges.count * 2 { capacity <<= 1 }  // load factor ≤ 0.5
        var slots = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        var duplicate: DuplicateBytes?
        storage.withUnsafeBufferPointer { bytes in
            slots.withUnsafeMutableBufferPointer { table in
                guard let base = bytes.baseAddress else { return }
                for (id, range) in ranges.enumerated() where range != 0 {
                    let start = Int(range >> 32), length = Int(range & 0xFFFF_FFFF)
                    let h = Self.hash(base + start, length)
                    var i = Int(truncatingIfNeeded: h) & mask
                    while table[i] != 0 {
                        let other = Int(table[i] & 0xFFFF_FFFF) - 1
                        let o = ranges[other]
                        if Int(o & 0xFFFF_FFFF) == length
                            && memEqual(base + Int(o >> 32), base + start, length)
                        {
                            duplicate = DuplicateBytes(firstID: other, secondID: id)
                            return
                        }
                        i = (i + 1) & mask
                    }
                    table[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1)
                }
            }
        }
        if let duplicate { throw duplicate }
        self.slots = slots
    }

    /// The number of ids, including any gaps.
    var count: Int { ranges.count }

    /// The bytes of an ordinary token, or `nil` for a gap or an out-of-range id.
    func bytes(of id: Int) -> [UInt8]? {
        guard id >= 0, id < ranges.count, ranges[id] != 0 else { return nil }
        let start = Int(ranges[id] >> 32), length = Int(ranges[id] & 0xFFFF_FFFF)
        return Array(storage[start..<start + length])
    }

    /// Runs `body` with a pointer view for fast lookups.
    func withView<R>(_ body: (View) -> R) -> R {
        storage.withUnsafeBufferPointer { s in
            ranges.withUnsafeBufferPointer { r in
                slots.withUnsafeBufferPointer { t in
                    body(View(storage: s.baseAddress!, ranges: r.baseAddress!, slots: t.baseAddress!,
                              mask: t.count - 1))
                }
            }
        }
    }

    /// Pointers into a ``TokenVocabulary``; only valid inside ``withView(_:)``.
    struct View {
        let storage: UnsafePointer<UInt8>
        let ranges: UnsafePointer<UInt64>
        let slots: UnsafePointer<UInt64>
        let mask: Int

        /// The id of the token spelled by `length` bytes at `bytes`, or -1.
        @inline(__always)
        func id(of bytes: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
            let h = TokenVocabulary.hash(bytes, length)
            let tag = h & 0xFFFF_FFFF_0000_0000
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let slot = slots[i]
                if slot == 0 { return -1 }
                if slot & 0xFFFF_FFFF_0000_0000 == tag {
                    let id = Int(slot & 0xFFFF_FFFF) - 1
                    let r = ranges[id]
                    if Int(r & 0xFFFF_FFFF) == length && memEqual(storage + Int(r >> 32), bytes, length) {
                        return Int32(id)
                    }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// A fast multiply-xorshift hash over 8-byte words.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}

@inline(__always)
func memEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
