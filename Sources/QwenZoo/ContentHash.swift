/// A 64-bit FNV-1a digest, written `fnv1a64:<16 hex digits>`.
///
/// Receipts use it to notice that a manifest or a vocabulary changed since a run; it is an
/// integrity check, not a defence against deliberate collisions.
public struct ContentHash: Sendable {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    /// An empty hash (the FNV-1a offset basis); feed it with ``update(_:)``.
    public init() {}

    /// Mixes `bytes` into the hash, in order.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01B3
        }
    }

    /// The hash so far, as `fnv1a64:` and 16 lowercase hex digits.
    public var digest: String {
        let hex = String(state, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The digest of a string's UTF-8.
    public static func of(_ text: String) -> String {
        var hash = ContentHash()
        hash.update(text.utf8)
        return hash.digest
    }

    /// The digest of a vocabulary: every id's bytes in order, whatever file format it came from.
    public static func of(_ tokenizer: any Tokenizer) -> String {
        var hash = ContentHash()
        for id in 0..<tokenizer.count {
            let bytes = tokenizer.bytes(of: id) ?? []
            hash.update([UInt8(truncatingIfNeeded: bytes.count), tokenizer.isSpecial(id) ? 1 : 0])
            hash.update(bytes)
        }
        return hash.digest
    }
}
