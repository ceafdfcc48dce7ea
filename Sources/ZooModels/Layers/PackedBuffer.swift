import ZooKernels

/// A format whose matrices are one run of packed bytes: ``KQuantFormat`` blocks,
/// ``InterleavedFormat`` groups of 16 rows, or the four-row layout (`FourRowElement`).
protocol PackedFormat: Equatable {
    /// Bytes of a `rows × columns` matrix.
    func byteCount(rows: Int, columns: Int) -> Int
    /// The kernels' view of a matrix whose bytes start at `bytes`.
    func weightData(_ bytes: UnsafePointer<UInt8>) -> WeightData
}

extension KQuantFormat: PackedFormat {
    func byteCount(rows: Int, columns: Int) -> Int { rows * descriptor.rowBytes(columns: columns) }
}

extension InterleavedFormat: PackedFormat {}

/// A packed weight matrix and the memory that keeps it alive: a view into a mapped file (never
/// copied; keeps the mapping), a chunk of the huge-page weight arena, or an allocation of its own.
final class PackedBuffer<Format: PackedFormat>: @unchecked Sendable {
    enum Memory {
        case mapped(MappedFile)
        case arena(WeightChunk)
        case allocated(UnsafeMutablePointer<UInt8>)
    }

    let format: Format
    let rows: Int
    let columns: Int
    let bytes: UnsafePointer<UInt8>
    private let memory: Memory

    /// The matrix at `bytes` inside `mapping`.
    init(viewing bytes: UnsafeRawPointer, format: Format, rows: Int, columns: Int, in mapping: MappedFile) {
        (self.format, self.rows, self.columns) = (format, rows, columns)
        self.bytes = bytes.assumingMemoryBound(to: UInt8.self)
        memory = .mapped(mapping)
    }

    /// Memory of its own for the matrix (in the weight arena when `arena`), written by `fill`.
    init(format: Format, rows: Int, columns: Int, arena: Bool, fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        let count = format.byteCount(rows: rows, columns: columns)
        let typed: UnsafeMutablePointer<UInt8>
        if arena {
            let (raw, chunk) = WeightArena.allocate(count)
            typed = raw.bindMemory(to: UInt8.self, capacity: count)
            memory = .arena(chunk)
        } else {
            typed = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
            memory = .allocated(typed)
        }
        fill(typed)
        (self.format, self.rows, self.columns) = (format, rows, columns)
        bytes = UnsafePointer(typed)
    }

    deinit {
        if case .allocated(let owned) = memory { owned.deallocate() }
    }

    var byteCount: Int { format.byteCount(rows: rows, columns: columns) }

    /// The kernels' view of the matrix.
    var weightData: WeightData { format.weightData(bytes) }

    /// Row `index` as fp32 (an embedding lookup), as the format's descriptor decodes it.
    func dequantizeRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        weightData.decodeRow(index, columns: columns, into: destination)
    }
}

/// A matrix in one of the block formats of ``KQuantFormat``, viewed in
/// place in a mapped GGUF file or quantized at load.
typealias KQuantBuffer = PackedBuffer<KQuantFormat>

extension PackedBuffer<KQuantFormat> {
    /// The first block; `rows × columns / format.blockValues` blocks follow.
    var blocks: UnsafePointer<UInt8> { bytes }

    /// `rows × columns` fp32 weights `w` quantized to `format` (q4_K or q5_0) a slice of rows at a
    /// time, `quantize(slice)` handing each slice to the format, so 16-bit weights need only a
    /// small widened copy.
    convenience init(quantizing format: KQuantFormat, rows: Int, columns: Int,
                     slices: ((UnsafePointer<Float>, Int, Int) -> Void) -> Void) {
        precondition(columns % format.blockValues == 0, "\(format) rows hold whole blocks")
        let rowBytes = format.descriptor.rowBytes(columns: columns)
        self.init(format: format, rows: rows, columns: columns, arena: false) { blocks in
            slices { w, first, count in format.quantize(w, rows: count, columns: columns, into: blocks + first * rowBytes) }
        }
    }
}

/// A matrix with rows interleaved in groups of 16 (``InterleavedFormat``: q8_0, q4_0, q5_0, q4_K or
/// bf16), packed into the weight arena or viewed in a mapped cache file.
typealias InterleavedBuffer = PackedBuffer<InterleavedFormat>

extension PackedBuffer<InterleavedFormat> {
    /// Packs a row-major q8_0 (`Int8` values) or q4_0 (nibbles) matrix.
    convenience init(packing values: UnsafeRawPointer, scales: UnsafePointer<Float>, format: InterleavedFormat, rows: Int,
                     columns: Int) {
        self.init(format: format, rows: rows, columns: columns, arena: true) {
            format.pack(values: values, scales: scales, rows: rows, columns: columns, into: $0)
        }
    }

    /// Packs GGUF q8_0, q4_0, q5_0 or q4_K blocks.
    convenience init(packingGGUF blocks: UnsafeRawPointer, format: InterleavedFormat, rows: Int, columns: Int) {
        self.init(format: format, rows: rows, columns: columns, arena: true) {
            format.pack(ggufBlocks: blocks, rows: rows, columns: columns, into: $0)
        }
    }

    /// Packs row-major bf16 weights (`columns` even) for `dtype: bf16`.
    convenience init(packingBF16 w: UnsafePointer<UInt16>, rows: Int, columns: Int) {
        self.init(format: .bf16, rows: rows, columns: columns, arena: true) {
            InterleavedFormat.packBF16(w, rows: rows, columns: columns, into: $0)
        }
    }
}
