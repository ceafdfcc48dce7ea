import ZooCore

/// A KV cache that keeps every token of the sequence in contiguous per-layer buffers.
///
/// Buffers grow by doubling up to `capacity`, so a short chat on a 32K-context model does not
/// reserve the memory of 32K tokens up front.
public final class DenseKVCache: InspectableKVCache {
    public let capacity: Int
    public private(set) var count = 0
    /// Floats per token per layer (`kvHeads * headDim`).
    public let rowWidth: Int
    private var allocated = 0
    private var keyBuffers: [UnsafeMutablePointer<Float>]
    private var valueBuffers: [UnsafeMutablePointer<Float>]

    /// - Parameters:
    ///   - layers: transformer layers.
    ///   - rowWidth: floats per token per layer (`kvHeads * headDim`).
    ///   - capacity: the most tokens the cache holds.
    public init(layers: Int, rowWidth: Int, capacity: Int) {
        self.capacity = capacity
        self.rowWidth = rowWidth
        keyBuffers = []
        valueBuffers = []
        keyBuffers.reserveCapacity(layers)
        valueBuffers.reserveCapacity(layers)
        for _ in 0..<layers {
            keyBuffers.append(.allocate(capacity: 0))
            valueBuffers.append(.allocate(capacity: 0))
        }
    }

    deinit {
        for b in keyBuffers { b.deallocate() }
        for b in valueBuffers { b.deallocate() }
    }

    public func write(
        layer: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, tokens: Int
    ) throws -> KVLayerView {
        let needed = count + tokens
        guard needed <= capacity else { throw ContextOverflowError(requested: needed, capacity: capacity) }
        if needed > allocated { grow(toHold: needed) }
        let start = count * rowWidth
        (keyBuffers[layer] + start).update(from: keys, count: tokens * rowWidth)
        (valueBuffers[layer] + start).update(from: values, count: tokens * rowWidth)
        return KVLayerView(
            keys: keyBuffers[layer], values: valueBuffers[layer], length: needed, rowStride: rowWidth)
    }

    /// The number of transformer layers.
    public var layerCount: Int { keyBuffers.count }

    public func committedRows(layer: Int) -> KVLayerView {
        KVLayerView(keys: keyBuffers[layer], values: valueBuffers[layer], length: count, rowStride: rowWidth)
    }

    public func commit(tokens: Int) {
        precondition(count + tokens <= allocated, "commit past what was written")
        count += tokens
    }

    public func truncate(to length: Int) {
        count = min(count, max(0, length))
    }

    private func grow(toHold needed: Int) {
        var newSize = max(allocated * 2, 64)
        while newSize < needed { newSize *= 2 }
        newSize = min(newSize, capacity)
        for i in keyBuffers.indices {
            keyBuffers[i] = Self.reallocate(keyBuffers[i], keeping: allocated * rowWidth, newCount: newSize * rowWidth)
            valueBuffers[i] = Self.reallocate(valueBuffers[i], keeping: allocated * rowWidth, newCount: newSize * rowWidth)
        }
        allocated = newSize
    }

    private static func reallocate(
        _ old: UnsafeMutablePointer<Float>, keeping: Int, newCount: Int
    ) -> UnsafeMutablePointer<Float> {
        let fresh = UnsafeMutablePointer<Float>.allocate(capacity: newCount)
        fresh.update(from: old, count: keeping)
        old.deallocate()
        return fresh
    }
}
