/// A set of bytes (256 bits): the terminal of the byte-level grammar.
public struct ByteSet: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The empty set.
    public init() {}

    /// The bytes `lower...upper`.
    public init(_ lower: UInt8, _ upper: UInt8) {
        for b in lower...upper { insert(b) }
    }

    /// The single byte `b`.
    public init(byte b: UInt8) { insert(b) }

    /// Whether `b` is in the set.
    @inline(__always)
    public func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    /// Adds `b`.
    public mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// Adds every byte of `other`.
    @inline(__always)
    mutating func formUnion(_ other: ByteSet) {
        words.0 |= other.words.0
        words.1 |= other.words.1
        words.2 |= other.words.2
        words.3 |= other.words.3
    }

    /// Whether every byte of `other` is in the set.
    @inline(__always)
    func isSuperset(of other: ByteSet) -> Bool {
        other.words.0 & ~words.0 | other.words.1 & ~words.1 | other.words.2 & ~words.2 | other.words.3 & ~words.3 == 0
    }

    /// Whether no byte is in the set.
    public var isEmpty: Bool { words.0 | words.1 | words.2 | words.3 == 0 }

    /// The bytes in ascending order.
    public var bytes: [UInt8] { (0...255).compactMap { contains(UInt8($0)) ? UInt8($0) : nil } }

    public static func == (a: ByteSet, b: ByteSet) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
