import ZooKernels

/// A matrix with rows interleaved in groups of 16 (``InterleavedFormat``: q8_0, q4_0, q5_0, q4_K or
/// bf16), packed into the weight arena or viewed in a mapped cache file.
final class InterleavedBuffer: WeightBuffer, @unchecked Sendable {
    let format: InterleavedFormat
    let rows: Int
    let columns: Int
    let bytes: UnsafePointer<UInt8>
    private let mapping: MappedFile?
    /// The arena chunk holding a packed matrix (nil for a view into a mapping).
    private let chunk: WeightChunk?

    /// Packs a row-major q8_0 (`Int8` values) or q4_0 (nibbles) matrix.
    convenience init(packing values: UnsafeRawPointer, scales: UnsafePointer<Float>, format: InterleavedFormat, rows: Int,
                     columns: Int) {
        self.init(format, rows: rows, columns: columns) {
            format.pack(values: values, scales: scales, rows: rows, columns: columns, into: $0)
        }
    }

    /// Packs GGUF q8_0, q4_0, q5_0 or q4_K blocks.
    convenience init(packingGGUF blocks: UnsafeRawPointer, format: InterleavedFormat, rows: Int, columns: Int) {
        self.init(format, rows: rows, columns: columns) {
            format.pack(ggufBlocks: blocks, rows: rows, columns: columns, into: $0)
        }
    }

    /// Packs row-major bf16 weights (`columns` even) for `dtype: bf16`.
    convenience init(packingBF16 w: UnsafePointer<UInt16>, rows: Int, columns: Int) {
        self.init(.bf16, rows: rows, columns: columns) {
            InterleavedFormat.packBF16(w, rows: rows, columns: columns, into: $0)
        }
    }

    /// Arena memory for the matrix, filled by `pack`.
    private init(_ format: InterleavedFormat, rows: Int, columns: Int, pack: (UnsafeMutablePointer<UInt8>) -> Void) {
        let count = format.byteCount(rows: rows, columns: columns)
        let (memory, chunk) = WeightArena.allocate(count)
        let typed = memory.bindMemory(to: UInt8.self, capacity: count)
        pack(typed)
        self.format = format
        self.rows = rows
        self.columns = columns
        bytes = UnsafePointer(typed)
        mapping = nil
        self.chunk = chunk
    }

    init(viewing bytes: UnsafeRawPointer, format: InterleavedFormat, rows: Int, columns: Int, in mapping: MappedFile) {
        self.format = format
        self.rows = rows
        self.columns = columns
        self.bytes = bytes.assumingMemoryBound(to: UInt8.self)
        self.mapping = mapping
        chunk = nil
    }

    var byteCount: Int { format.byteCount(rows: rows, columns: columns) }

    var weightData: WeightData { format.weightData(bytes) }
}
