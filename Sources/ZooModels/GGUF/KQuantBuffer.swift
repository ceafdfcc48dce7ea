import ZooKernels

/// A weight matrix in one of the block formats of ``KQuantFormat`` (a k-quant, q5_0 or q5_1):
/// viewed in place in a mapped GGUF file (never copied or converted; keeps the mapping alive), or
/// quantized at load into memory it owns.
final class KQuantBuffer: WeightBuffer, @unchecked Sendable {
    let format: KQuantFormat
    let rows: Int
    let columns: Int
    /// The first block; `rows × columns / format.blockValues` blocks follow.
    let blocks: UnsafePointer<UInt8>
    private let mapping: MappedFile?
    private let owned: UnsafeMutablePointer<UInt8>?

    init(viewing blocks: UnsafeRawPointer, format: KQuantFormat, rows: Int, columns: Int, in mapping: MappedFile) {
        precondition(columns % format.blockValues == 0, "\(format) rows hold whole blocks")
        self.format = format
        self.rows = rows
        self.columns = columns
        self.blocks = blocks.assumingMemoryBound(to: UInt8.self)
        self.mapping = mapping
        owned = nil
    }

    /// Quantizes fp32 rows `first ..< first + count` into a buffer made by `init(empty:rows:columns:)`
    /// (a slice at a time, so 16-bit weights need only a small widened copy).
    func quantize(_ w: UnsafePointer<Float>, firstRow first: Int, count: Int) {
        guard let owned else { preconditionFailure("a mapped matrix is read-only") }
        format.quantize(w, rows: count, columns: columns, into: owned + first * format.descriptor.rowBytes(columns: columns))
    }

    /// Memory for `rows × columns` weights in `format` (q4_K or q5_0), filled by `quantize(_:firstRow:count:)`.
    init(empty format: KQuantFormat, rows: Int, columns: Int) {
        precondition(columns % format.blockValues == 0, "\(format) rows hold whole blocks")
        let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * (columns / format.blockValues) * format.blockBytes)
        self.format = format
        self.rows = rows
        self.columns = columns
        blocks = UnsafePointer(memory)
        mapping = nil
        owned = memory
    }

    deinit { owned?.deallocate() }

    var weightData: WeightData { format.weightData(blocks) }
}
