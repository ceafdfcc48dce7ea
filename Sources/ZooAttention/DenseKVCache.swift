import ZooCore
import ZooKernels

/// A KV cache that keeps every token of the sequence in contiguous per-layer buffers, as fp32 or fp16.
///
/// Buffers grow by doubling up to `capacity`, so a short chat on a 32K-context model does not
/// reserve the memory of 32K tokens up front.
public final class DenseKVCache: InspectableKVCache {
    public let capacity: Int
    public private(set) var count = 0
    /// Elements per token per layer (`kvHeads * headDim`).
    public let rowWidth: Int
    /// How rows are stored.
    public let precision: KVPrecision
    private var allocated = 0
    private var keyBuffers: [UnsafeMutableRawPointer]
    private var valueBuffers: [UnsafeMutableRawPointer]
    private var elementSize: Int { precision == .f32 ? 4 : 2 }

    /// - Parameters:
    ///   - layers: transformer layers.
    ///   - rowWidth: elements per token per layer (`kvHeads * headDim`).
    ///   - capacity: the most tokens the cache holds.
    ///   - precision: how rows are stored (fp16 halves the memory, at ~5e-4 relative error per value).
    public init(layers: Int, rowWidth: Int, capacity: Int, precision: KVPrecision = .f32) {
        self.capacity = capacity
        self.rowWidth = rowWidth
        self.precision = precision
        keyBuffers = (0..<layers).map { _ in .allocate(byteCount: 0, alignment: 64) }
        valueBuffers = (0..<layers).map { _ in .allocate(byteCount: 0, alignment: 64) }
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
        let start = count * rowWidth, n = tokens * rowWidth
        switch precision {
        case .f32:
            (keyBuffers[layer].assumingMemoryBound(to: Float.self) + start).update(from: keys, count: n)
            (valueBuffers[layer].assumingMemoryBound(to: Float.self) + start).update(from: values, count: n)
        case .f16:
            VectorOps.narrowToHalf(keys, into: keyBuffers[layer].assumingMemoryBound(to: UInt16.self) + start, count: n)
            VectorOps.narrowToHalf(values, into: valueBuffers[layer].assumingMemoryBound(to: UInt16.self) + start, count: n)
        }
        return view(layer: layer, length: needed)
    }

    /// The number of transformer layers.
    public var layerCount: Int { keyBuffers.count }

    public func committedRows(layer: Int) -> KVLayerView { view(layer: layer, length: count) }

    private func view(layer: Int, length: Int) -> KVLayerView {
        switch precision {
        case .f32:
            KVLayerView(
                keys: keyBuffers[layer].assumingMemoryBound(to: Float.self),
                values: valueBuffers[layer].assumingMemoryBound(to: Float.self), length: length, rowStride: rowWidth)
        case .f16:
            KVLayerView(
                halfKeys: keyBuffers[layer].assumingMemoryBound(to: UInt16.self),
                halfValues: valueBuffers[layer].assumingMemoryBound(to: UInt16.self), length: length, rowStride: rowWidth)
        }
    }

    public func commit(tokens: Int) {
        precondition(count + tokens <= allocated, "commit past what was written")
        count += tokens
    }

    public func truncate(to length: Int) {
        count = min(count, max(0, length))
    }

    /// Bytes one token's rows take over every layer (keys and values).
    public var bytesPerToken: Int { 2 * keyBuffers.count * rowWidth * elementSize }

    /// Makes this cache hold exactly the first `length` committed rows of `source`, copied byte for
    /// byte (a prefix another sequence computed: the rows a fresh prefill would write, bit for bit).
    public func copyPrefix(of source: DenseKVCache, length: Int) {
        precondition(source.layerCount == layerCount && source.rowWidth == rowWidth && source.precision == precision,
                     "copying rows between caches of different layouts")
        precondition(length <= source.count && length <= capacity, "copying more rows than there are or fit")
        count = 0
        if length > allocated { grow(toHold: length) }
        let bytes = length * rowWidth * elementSize
        for i in keyBuffers.indices {
            keyBuffers[i].copyMemory(from: source.keyBuffers[i], byteCount: bytes)
            valueBuffers[i].copyMemory(from: source.valueBuffers[i], byteCount: bytes)
        }
        count = length
    }

    private func grow(toHold needed: Int) {
        var newSize = max(allocated * 2, 64)
        while newSize < needed { newSize *= 2 }
        newSize = min(newSize, capacity)
        let keep = allocated * rowWidth * elementSize, bytes = newSize * rowWidth * elementSize
        for i in keyBuffers.indices {
            keyBuffers[i] = Self.reallocate(keyBuffers[i], keeping: keep, byteCount: bytes)
            valueBuffers[i] = Self.reallocate(valueBuffers[i], keeping: keep, byteCount: bytes)
        }
        allocated = newSize
    }

    private static func reallocate(
        _ old: UnsafeMutableRawPointer, keeping: Int, byteCount: Int
    ) -> UnsafeMutableRawPointer {
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        fresh.copyMemory(from: old, byteCount: keeping)
        old.deallocate()
        return fresh
    }
}
