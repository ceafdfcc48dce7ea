import ZooKernels

/// One forward call's activation buffers, carved out of one block of memory.
///
/// A decode step (one token) takes the block from its thread's scratch, so the decode loop allocates
/// nothing; a prefill allocates its block and frees it afterwards, so a long prompt's buffers do not
/// stay resident.
struct ActivationMemory {
    private let block: UnsafeMutablePointer<Float>
    private let owned: Bool
    private var offset = 0

    /// Room for buffers of `counts` floats each (every buffer starts 64-byte aligned).
    init(tokens: Int, counts: [Int]) {
        let total = counts.reduce(0) { $0 + Self.padded($1) }
        owned = tokens > 1
        block = owned ? .allocate(capacity: total) : ThreadScratch.floats(.activations, count: total)
    }

    private static func padded(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    /// The next buffer of `count` floats.
    mutating func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        defer { offset += Self.padded(count) }
        return block + offset
    }

    /// Frees the block if this call allocated it.
    func release() {
        if owned { block.deallocate() }
    }
}
