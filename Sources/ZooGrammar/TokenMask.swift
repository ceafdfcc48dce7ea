import ZooSamplers

/// The ordinary tokens a grammar state allows (stop ids are added by the stage, where the
/// grammar is complete): the allowed ids themselves when there are few (applying the mask then
/// gathers a handful of logits instead of scanning the vocabulary), else a bitmask.
public struct TokenMask: Sendable, Equatable {
    /// The allowed ids in ascending order, when there are at most ``listLimit`` of them.
    public let ids: [Int32]?
    /// Bit `id % 64` of word `id / 64`, when there are more than ``listLimit`` ids (else empty).
    public let bits: [UInt64]
    /// How many ids are allowed.
    public let count: Int

    /// Masks with at most this many ids are kept as a list.
    public static let listLimit = 4096

    init(bits: [UInt64], count: Int) {
        self.count = count
        if count <= Self.listLimit {
            var ids: [Int32] = []
            ids.reserveCapacity(count)
            for (w, word) in bits.enumerated() where word != 0 {
                var x = word
                while x != 0 {
                    ids.append(Int32(w * 64 + x.trailingZeroBitCount))
                    x &= x - 1
                }
            }
            self.ids = ids
            self.bits = []
        } else {
            self.ids = nil
            self.bits = bits
        }
    }

    /// Whether `id` is allowed.
    public func contains(_ id: Int) -> Bool {
        if let ids { return id >= 0 && id <= Int(Int32.max) && SamplerCandidates.sortedContains(ids, Int32(id)) }
        return id >= 0 && id / 64 < bits.count && bits[id / 64] >> UInt64(id % 64) & 1 == 1
    }

    /// The memory the mask holds, for the cache's budget.
    var byteSize: Int { bits.count * 8 + (ids?.count ?? 0) * 4 + 64 }
}
