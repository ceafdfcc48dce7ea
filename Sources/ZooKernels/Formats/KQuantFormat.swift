import CZooKernels

/// llama.cpp's block formats that QwenZoo reads in place from GGUF files, stored row by row (a row
/// of `n` weights is `n / blockValues` consecutive blocks): the k-quants (super-blocks of 256),
/// q5_0/q5_1 (blocks of 32), which llama.cpp's Q4_K_M and Q5_K_M write for matrices whose rows are
/// not a multiple of 256 wide, and q4_1, which older conversions write. The raw value is the GGUF
/// type's name; each case's facts are its ``descriptor`` (below, one per format).
public enum KQuantFormat: String, Sendable, CaseIterable {
    case q4_K
    case q5_K
    case q6_K
    case q5_0
    case q5_1
    case q4_1

    /// The format's descriptor.
    public var descriptor: WeightFormat {
        switch self {
        case .q4_K: .q4_K
        case .q5_K: .q5_K
        case .q6_K: .q6_K
        case .q5_0: .q5_0
        case .q5_1: .q5_1
        case .q4_1: .q4_1
        }
    }

    /// Weights per block: 256 for the k-quants, 32 for q5_0, q5_1 and q4_1.
    public var blockValues: Int { descriptor.blockValues }

    /// Bytes per block.
    public var blockBytes: Int { descriptor.blockBytes }

    /// Bytes per weight (for bandwidth estimates).
    public var bytesPerWeight: Double { descriptor.bytesPerWeight }

    /// The kernel operand for a matrix whose blocks start at `blocks`.
    public func weightData(_ blocks: UnsafePointer<UInt8>) -> WeightData { WeightData(descriptor, blocks) }

    /// Quantizes `rows × columns` fp32 weights to this format's blocks (`rows × columns /
    /// blockValues × blockBytes` bytes at `blocks`) as llama.cpp's reference quantizer does, bit for
    /// bit; q4_K and q5_0 only (the formats ``WeightData`` quantization at load writes). Rows are
    /// independent: they are split over the cores.
    public func quantize(_ w: UnsafePointer<Float>, rows: Int, columns: Int, into blocks: UnsafeMutablePointer<UInt8>) {
        precondition(self == .q4_K || self == .q5_0, "QwenZoo quantizes to q4_K and q5_0 only")
        precondition(columns % blockValues == 0, "\(self) quantizes rows of whole blocks of \(blockValues)")
        let rowBytes = descriptor.rowBytes(columns: columns)
        Parallel.forEachRowChunk(rows, serialBelow: 64) { begin, end in
            let (x, y, n, k) = (w + begin * columns, blocks + begin * rowBytes, Int32(end - begin), Int32(columns))
            if self == .q4_K { zoo_quantize_q4_k(x, n, k, y) } else { zoo_quantize_q5_0(x, n, k, y) }
        }
    }

    /// Writes the `count` weights (a multiple of ``blockValues``) of the blocks at `blocks` as fp32,
    /// with the reference arithmetic of gguf-py's `gguf.quants.dequantize`, bit for bit.
    public func dequantize(_ blocks: UnsafePointer<UInt8>, count: Int, into destination: UnsafeMutablePointer<Float>) {
        precondition(count % blockValues == 0, "\(self) dequantizes whole blocks of \(blockValues)")
        descriptor.decodeRow(weightData(blocks), count, 0, destination)
    }
}

/// The in-place block formats: blocks read from the mapping by fused dequantize-and-dot kernels with
/// fp32 activations (`dequant_*.c`), whose products equal the fp32 kernel on the dequantized weights.
extension WeightFormat {
    /// 144 bytes per block: fp16 `d`, fp16 `dmin`, 12 bytes packing a 6-bit scale and a 6-bit min
    /// for each of eight sub-blocks of 32, then 128 bytes of nibbles; a weight is
    /// `(d·scale)·q − dmin·min` (4.5 bits per weight).
    public static let q4_K = inPlace("q4_K", blockValues: 256, blockBytes: 144, zoo_linear_q4_k, zoo_dequantize_q4_k)
    /// 176 bytes per block: q4_K's layout with 32 bytes of fifth bits before the nibbles, so
    /// `q` is 0…31 (5.5 bits per weight).
    public static let q5_K = inPlace("q5_K", blockValues: 256, blockBytes: 176, zoo_linear_q5_k, zoo_dequantize_q5_k)
    /// 210 bytes per block: 128 bytes of low nibbles, 64 bytes of high bit pairs, sixteen int8
    /// scales (one per sub-block of 16), fp16 `d`; a weight is `(d·scale)·(q − 32)` (6.5625 bits).
    public static let q6_K = inPlace("q6_K", blockValues: 256, blockBytes: 210, zoo_linear_q6_k, zoo_dequantize_q6_k)
    /// 22 bytes per block of 32: fp16 `d`, 32 fifth bits, 16 bytes of nibbles; a weight is
    /// `d·(q − 16)` (5.5 bits per weight).
    public static let q5_0 = inPlace("q5_0", blockValues: 32, blockBytes: 22, zoo_linear_q5_0, zoo_dequantize_q5_0)
    /// 24 bytes per block of 32: fp16 `d`, fp16 `m`, 32 fifth bits, 16 bytes of nibbles; a weight
    /// is `d·q + m` (6 bits per weight).
    public static let q5_1 = inPlace("q5_1", blockValues: 32, blockBytes: 24, zoo_linear_q5_1, zoo_dequantize_q5_1)
    /// 20 bytes per block of 32: fp16 `d`, fp16 `m`, 16 bytes of nibbles; a weight is `d·q + m`
    /// (5 bits per weight).
    public static let q4_1 = inPlace("q4_1", blockValues: 32, blockBytes: 20, zoo_linear_q4_1, zoo_dequantize_q4_1)

    typealias BlockKernel = @convention(c) (
        UnsafePointer<Float>?, Int32, Int32, UnsafePointer<UInt8>?, Int32, Int32, UnsafeMutablePointer<Float>?, Int32, Int32
    ) -> Void
    typealias BlockDequantizer = @convention(c) (UnsafePointer<UInt8>?, Int32, UnsafeMutablePointer<Float>?) -> Void

    /// The descriptor of an in-place block format from its two C entry points.
    static func inPlace(_ name: String, blockValues: Int, blockBytes: Int, _ linear: BlockKernel,
                        _ dequantize: BlockDequantizer) -> WeightFormat {
        WeightFormat(name, blockValues: blockValues, blockBytes: blockBytes, kernel: { a, w, c in
            linear(a.x, c.rows, c.k, w.pointer(UInt8.self), c.begin, c.end, c.y, c.ld, c.accumulate)
        }, decodeRow: { w, columns, row, y in
            dequantize(w.pointer(UInt8.self) + row * (columns / blockValues * blockBytes), Int32(columns), y)
        })
    }
}
