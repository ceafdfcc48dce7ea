/// Token bytes by id, plus hash indexes from bytes back to id.
///
/// All tokens live in one flat byte array so that loading 151k tokens makes a few allocations,
/// not 151k. Lookups are the hot path of BPE, so they avoid cache misses: two-byte tokens sit in
/// a direct 64K table, tokens up to 8 bytes in a table keyed by their packed bytes (no trip to
/// the byte storage), and only longer ones hash their bytes. Lookups go through a ``View`` of
/// unsafe pointers that is valid for one encode call.
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
    /// Id of each two-byte token, indexed by `first << 8 | second`; -1 when none.
    private let pairIDs: [Int32]
    /// Tokens of 1...8 bytes: `(packed bytes, length << 32 | (id + 1))` pairs; value 0 = empty.
    private let shortSlots: [UInt64]
    /// Tokens longer than 8 bytes: 0 for an empty slot, else `hashTag << 32 | (id + 1)`.
    private let longSlots: [UInt64]

    /// Builds the indexes; `ranges` uses the same packing as the stored property.
    init(storage: [UInt8], ranges: [UInt64]) throws(DuplicateBytes) {
        self.storage = storage
        self.ranges = ranges
        var shortCount = 0
        for range in ranges where range != 0 && range & 0xFFFF_FFFF <= 8 { shortCount += 1 }
        let longCount = ranges.count - shortCount
        var pairIDs = [Int32](repeating: -1, count: 65536)
        var shortSlots = [UInt64](repeating: 0, count: 2 * Self.capacity(for: shortCount))
        var longSlots = [UInt64](repeating: 0, count: Self.capacity(for: longCount))
        let shortMask = shortSlots.count / 2 - 1, longMask = longSlots.count - 1
        var duplicate: DuplicateBytes?
        storage.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            for (id, range) in ranges.enumerated() where range != 0 {
                let start = Int(range >> 32), length = Int(range & 0xFFFF_FFFF)
                let p = base + start
                if length == 2 { pairIDs[Int(p[0]) << 8 | Int(p[1])] = Int32(id) }
                if length <= 8 {
                    let key = Self.pack(p, length)
                    var i = Self.shortSlot(key, shortMask)
                    while shortSlots[2 * i + 1] != 0 {
                        let value = shortSlots[2 * i + 1]
                        if shortSlots[2 * i] == key && Int(value >> 32) == length {
                            duplicate = DuplicateBytes(firstID: Int(value & 0xFFFF_FFFF) - 1, secondID: id)
                            return
                        }
                        i = (i + 1) & shortMask
                    }
                    shortSlots[2 * i] = key
                    shortSlots[2 * i + 1] = UInt64(length) << 32 | UInt64(id + 1)
                    continue
                }
                let h = Self.hash(p, length)
                var i = Int(truncatingIfNeeded: h) & longMask
                while longSlots[i] != 0 {
                    let other = Int(longSlots[i] & 0xFFFF_FFFF) - 1
                    let o = ranges[other]
                    if Int(o & 0xFFFF_FFFF) == length && memEqual(base + Int(o >> 32), p, length) {
                        duplicate = DuplicateBytes(firstID: other, secondID: id)
                        return
                    }
                    i = (i + 1) & longMask
                }
                longSlots[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1)
            }
        }
        if let duplicate { throw duplicate }
        self.pairIDs = pairIDs
        self.shortSlots = shortSlots
        self.longSlots = longSlots
    }

    /// A power of two at least twice `count` (load factor ≤ 0.5).
    private static func capacity(for count: Int) -> Int {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        return capacity
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
                pairIDs.withUnsafeBufferPointer { p in
                    shortSlots.withUnsafeBufferPointer { short in
                        longSlots.withUnsafeBufferPointer { long in
                            body(View(storage: s.baseAddress!, ranges: r.baseAddress!, pairIDs: p.baseAddress!,
                                      shortSlots: short.baseAddress!, shortMask: short.count / 2 - 1,
                                      longSlots: long.baseAddress!, longMask: long.count - 1))
                        }
                    }
                }
            }
        }
    }

    /// Pointers into a ``TokenVocabulary``; only valid inside ``withView(_:)``.
    struct View {
        let storage: UnsafePointer<UInt8>
        let ranges: UnsafePointer<UInt64>
        let pairIDs: UnsafePointer<Int32>
        let shortSlots: UnsafePointer<UInt64>
        let shortMask: Int
        let longSlots: UnsafePointer<UInt64>
        let longMask: Int

        /// The id of the token spelled by `length` bytes at `bytes`, or -1.
        @inline(__always)
        func id(of bytes: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
            if length == 2 { return pairIDs[Int(bytes[0]) << 8 | Int(bytes[1])] }
            if length <= 8 { return shortID(TokenVocabulary.pack(bytes, length), length) }
            return longID(bytes, length)
        }

        @inline(__always)
        private func shortID(_ key: UInt64, _ length: Int) -> Int32 {
            var i = TokenVocabulary.shortSlot(key, shortMask)
            while true {
                let value = shortSlots[2 * i + 1]
                if value == 0 { return -1 }
                if shortSlots[2 * i] == key && Int(value >> 32) == length {
                    return Int32(truncatingIfNeeded: value & 0xFFFF_FFFF) - 1
                }
                i = (i + 1) & shortMask
            }
        }

        private func longID(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
            let h = TokenVocabulary.hash(bytes, length)
            let tag = h & 0xFFFF_FFFF_0000_0000
            var i = Int(truncatingIfNeeded: h) & longMask
            while true {
                let slot = longSlots[i]
                if slot == 0 { return -1 }
                if slot & 0xFFFF_FFFF_0000_0000 == tag {
                    let id = Int(slot & 0xFFFF_FFFF) - 1
                    let r = ranges[id]
                    if Int(r & 0xFFFF_FFFF) == length && memEqual(storage + Int(r >> 32), bytes, length) {
                        return Int32(id)
                    }
                }
                i = (i + 1) & longMask
            }
        }
    }

    /// Up to 8 bytes packed little-endian into a word.
    @inline(__always)
    static func pack(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var key: UInt64 = 0
        var i = n - 1
        while i >= 0 {
            key = key << 8 | UInt64(p[i])
            i -= 1
        }
        return key
    }

    @inline(__always)
    static func shortSlot(_ key: UInt64, _ mask: Int) -> Int {
        let h = (key ^ (key >> 29)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 32) & mask
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
