import CZooKernels

/// Weights with their rows interleaved in groups of 16, the layout QwenZoo's AVX-512 VNNI and BF16
/// kernels read: one instruction then advances 16 rows at once (speed against the row-major layout:
/// BENCHMARKS.md, "Layout measurements"). Values and fp16 scales are llama.cpp's, so nothing is
/// lost in the repacking (layout: `linear_x16.c`). ``bf16`` is `dtype: bf16`'s layout (`linear_bf16x16.c`).
public enum InterleavedFormat: String, Sendable {
    case q8_0 = "q8_0x16"
    case q4_0 = "q4_0x16"
    /// llama.cpp's q5_0, from GGUF blocks (or q4_K's fallback for rows that are not a multiple of 256).
    case q5_0 = "q5_0x16"
    /// llama.cpp's q4_K super-blocks (rows a multiple of 256 wide), from GGUF or quantized at load.
    case q4_K = "q4_Kx16"
    /// bf16 weights whose products round the activations to bf16 (AVX-512 BF16 dot products).
    case bf16 = "bf16x16"

    /// The C kernels' format number (0 q8_0, 1 q4_0, 2 q5_0).
    var kind: Int32 {
        switch self {
        case .q8_0: 0
        case .q4_0: 1
        case .q5_0: 2
        case .q4_K, .bf16: -1
        }
    }

    /// Whether weights should be packed this way on this machine: the CPU has AVX-512 VNNI and
    /// ``MatrixMultiply/integerDotProducts`` is on. Elsewhere the portable kernel still reads the
    /// layout (a cache file written on another machine), only slowly.
    public static var isPreferred: Bool {
        MatrixMultiply.integerDotProducts && zoo_vnni_available() != 0 && MatrixMultiply.nativeInstructionSet == "avx512f"
    }

    /// Bytes of a `rows × columns` matrix (`columns` a multiple of 32).
    public func byteCount(rows: Int, columns: Int) -> Int {
        switch self {
        case .bf16: zoo_bf16x16_bytes(Int32(rows), Int32(columns))
        case .q4_K: zoo_q4_k_x16_bytes(Int32(rows), Int32(columns))
        default: zoo_x16_bytes(kind, Int32(rows), Int32(columns))
        }
    }

    /// Packs row-major q8_0 values (`Int8`) or q4_0 nibbles with their scales (fp16 values, one per
    /// block of 32) into `destination` (``byteCount(rows:columns:)`` bytes).
    public func pack(values: UnsafeRawPointer, scales: UnsafePointer<Float>, rows: Int, columns: Int,
                     into destination: UnsafeMutablePointer<UInt8>) {
        precondition(self == .q8_0 || self == .q4_0, "\(self) packs from GGUF blocks")
        Self.forEachGroupRange(rows) { begin, end in
            zoo_pack_x16(kind, values, scales, Int32(rows), Int32(columns), begin, end, destination)
        }
    }

    /// Packs GGUF q8_0, q4_0, q5_0 or q4_K blocks (row-major, `columns / 32` blocks per row) into `destination`.
    public func pack(ggufBlocks blocks: UnsafeRawPointer, rows: Int, columns: Int, into destination: UnsafeMutablePointer<UInt8>) {
        precondition(self != .bf16, "bf16 packs with packBF16")
        let source = blocks.assumingMemoryBound(to: UInt8.self)
        Self.forEachGroupRange(rows) { begin, end in
            if self == .q4_K {
                zoo_pack_q4_k_x16(source, Int32(rows), Int32(columns), begin, end, destination)
            } else {
                zoo_pack_x16_gguf(kind, source, Int32(rows), Int32(columns), begin, end, destination)
            }
        }
    }

    /// Packs row-major bf16 weights (`columns` even) into ``bf16``'s layout.
    public static func packBF16(_ w: UnsafePointer<UInt16>, rows: Int, columns: Int, into destination: UnsafeMutablePointer<UInt8>) {
        let out = UnsafeMutableRawPointer(destination).assumingMemoryBound(to: UInt16.self)
        forEachGroupRange(rows) { begin, end in
            zoo_pack_bf16x16(w, Int32(rows), Int32(columns), begin, end, out)
        }
    }

    /// Calls `body(firstGroup, endGroup)` over the groups of 16 rows of a `rows`-row matrix, split over
    /// the cores (packing is mostly page faults on fresh memory, which both cores take at once).
    private static func forEachGroupRange(_ rows: Int, _ body: (Int32, Int32) -> Void) {
        Parallel.forEachRowChunk((rows + 15) / 16, serialBelow: 8) { begin, end in body(Int32(begin), Int32(end)) }
    }

    /// Row `row` dequantized to fp32 (an embedding lookup).
    public func unpackRow(_ packed: UnsafePointer<UInt8>, columns: Int, row: Int, into destination: UnsafeMutablePointer<Float>) {
        weightData(packed).decodeRow(row, columns: columns, into: destination)
    }

    /// The format's descriptor.
    public var descriptor: WeightFormat {
        switch self {
        case .q8_0: .q8_0x16
        case .q4_0: .q4_0x16
        case .q5_0: .q5_0x16
        case .q4_K: .q4_Kx16
        case .bf16: .bf16x16
        }
    }

    /// The kernels' view of a packed matrix.
    public func weightData(_ packed: UnsafePointer<UInt8>) -> WeightData { WeightData(descriptor, packed) }
}

extension MatrixMultiply {
    /// Whether this CPU has AVX-512 BF16 dot products (`dtype: bf16` runs portable C without them).
    public static let bf16DotProductsAvailable = zoo_bf16_dot_available() != 0

    /// fp32 → bf16, rounding to nearest even.
    public static func roundToBF16(_ x: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<UInt16>) {
        zoo_round_bf16(x, Int32(count), destination)
    }
}
