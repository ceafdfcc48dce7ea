/// The closure's pending `(position, parent)` pairs, each packed into one `Int64` (the key the
/// closure's visited set uses too), kept between steps so that a step allocates nothing.
struct ExpansionStack {
    private var items: [Int64] = []
    private var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func push(_ position: Int32, _ parent: Int32) {
        let item = Self.key(position, parent)
        if count == items.count { items.append(item) } else { items[count] = item }
        count += 1
    }

    /// The pair pushed last, packed (``position(_:)``, ``parent(_:)``).
    mutating func pop() -> Int64 {
        count -= 1
        return items[count]
    }

    @inline(__always)
    static func key(_ position: Int32, _ parent: Int32) -> Int64 {
        Int64(position) << 32 | Int64(UInt32(bitPattern: parent))
    }

    @inline(__always)
    static func position(_ key: Int64) -> Int32 { Int32(truncatingIfNeeded: key >> 32) }

    @inline(__always)
    static func parent(_ key: Int64) -> Int32 { Int32(truncatingIfNeeded: key) }
}
