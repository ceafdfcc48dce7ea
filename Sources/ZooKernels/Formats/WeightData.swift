import CZooKernels
import Synchronization

/// A weight matrix `[outFeatures, inFeatures]` as the kernels read it: its format's descriptor and
/// where its bytes lie (for row-major q8_0 and q4_0, the values; their scales apart).
public struct WeightData: @unchecked Sendable {
    /// What the bytes are, and which kernel reads them.
    public let format: WeightFormat
    /// The first byte of the matrix.
    public let base: UnsafeRawPointer
    /// The fp32 scales, one per block of 32, of row-major q8_0 and q4_0, or the (scale, min) pairs of
    /// q4_Kb32 (nil for every other format).
    public let scales: UnsafePointer<Float>?

    /// A matrix of `format` at `base` (with its separate `scales` for q8_0 and q4_0).
    public init(_ format: WeightFormat, _ base: UnsafeRawPointer, scales: UnsafePointer<Float>? = nil) {
        self.format = format
        self.base = base
        self.scales = scales
    }

    /// The bytes as elements of `T` (the C kernel's element type).
    func pointer<T>(_: T.Type) -> UnsafePointer<T> { base.assumingMemoryBound(to: T.self) }

    /// Bytes read per weight (for bandwidth estimates).
    public var bytesPerWeight: Double { format.bytesPerWeight }

    /// Row `row` of a `columns`-wide matrix as fp32, as its kernel reads it.
    public func decodeRow(_ row: Int, columns: Int, into destination: UnsafeMutablePointer<Float>) {
        format.decodeRow(self, columns, row, destination)
    }

    // Constructors by the format's name, as the enum this struct replaced spelled them (other
    // descriptors: `InterleavedFormat.weightData(_:)`, `KQuantFormat.weightData(_:)`, or `init`).
    /// Row-major fp32 weights.
    public static func f32(_ w: UnsafePointer<Float>) -> WeightData { WeightData(.f32, w) }
    /// Row-major bf16 weights (widened on the fly; fp32 activations).
    public static func bf16(_ w: UnsafePointer<UInt16>) -> WeightData { WeightData(.bf16, w) }
    /// Row-major f16 weights (widened on the fly; fp32 activations).
    public static func f16(_ w: UnsafePointer<UInt16>) -> WeightData { WeightData(.f16, w) }
    /// fp32 weights in the four-row layout (see ``FourRowLayout``), made when `weights.mmap: false`
    /// copies a matrix at load.
    public static func f32Rows4(_ w: UnsafePointer<Float>) -> WeightData { WeightData(.f32Rows4, w) }
    /// Bf16 weights in the four-row layout (fp32 activations).
    public static func bf16Rows4(_ w: UnsafePointer<UInt16>) -> WeightData { WeightData(.bf16Rows4, w) }
    /// F16 weights in the four-row layout (fp32 activations).
    public static func f16Rows4(_ w: UnsafePointer<UInt16>) -> WeightData { WeightData(.f16Rows4, w) }
    /// llama.cpp's q8_0 as int8 values `[out, in]` and one scale per block of 32 `[out, in / 32]`.
    public static func q8_0(values: UnsafePointer<Int8>, scales: UnsafePointer<Float>) -> WeightData {
        WeightData(.q8_0, values, scales: scales)
    }
    /// llama.cpp's q4_0 as packed nibbles `[out, in / 2]` and one scale per block `[out, in / 32]`.
    public static func q4_0(nibbles: UnsafePointer<UInt8>, scales: UnsafePointer<Float>) -> WeightData {
        WeightData(.q4_0, nibbles, scales: scales)
    }
    /// llama.cpp's q4_K unpacked into blocks of 32: nibbles `[out, in / 2]` and (scale, min) pairs
    /// `[out, in / 32, 2]` (see ``WeightFormat/q4_Kb32``).
    public static func q4_Kb32(nibbles: UnsafePointer<UInt8>, factors: UnsafePointer<Float>) -> WeightData {
        WeightData(.q4_Kb32, nibbles, scales: factors)
    }
    /// Q8_0 with rows interleaved by 16 (see ``InterleavedFormat``).
    public static func q8_0x16(_ packed: UnsafePointer<UInt8>) -> WeightData { WeightData(.q8_0x16, packed) }
    /// Bf16 with rows interleaved by 16, multiplied by bf16-rounded activations (`dtype: bf16`).
    public static func bf16x16(_ packed: UnsafePointer<UInt16>) -> WeightData { WeightData(.bf16x16, packed) }
    /// llama.cpp's q4_K super-blocks read in place (see ``KQuantFormat``).
    public static func q4_K(_ blocks: UnsafePointer<UInt8>) -> WeightData { WeightData(.q4_K, blocks) }
    /// llama.cpp's q5_K super-blocks read in place.
    public static func q5_K(_ blocks: UnsafePointer<UInt8>) -> WeightData { WeightData(.q5_K, blocks) }
    /// llama.cpp's q6_K super-blocks read in place.
    public static func q6_K(_ blocks: UnsafePointer<UInt8>) -> WeightData { WeightData(.q6_K, blocks) }
    /// llama.cpp's q5_0 blocks read in place.
    public static func q5_0(_ blocks: UnsafePointer<UInt8>) -> WeightData { WeightData(.q5_0, blocks) }
    /// llama.cpp's q5_1 blocks read in place.
    public static func q5_1(_ blocks: UnsafePointer<UInt8>) -> WeightData { WeightData(.q5_1, blocks) }
}

extension MatrixMultiply {
    /// `y[rows, outFeatures] = x[rows, inFeatures] · Wᵀ` for any stored weight format, with fp32
    /// accumulation; `accumulate` adds to `y`. Every format keeps the row-independence of the fp32
    /// native kernel.
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, weight: WeightData, outFeatures: Int,
        into y: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        guard let form = weight.activationForm(inFeatures: inFeatures) else {
            precondition(weight.format == .f32, "only fp32 weights leave the native kernels")
            return linear(x, rows: rows, inFeatures: inFeatures, weight: weight.pointer(Float.self), outFeatures: outFeatures,
                          into: y, accumulate: accumulate)
        }
        let prepared = prepare(form, x, rows: rows, k: inFeatures)
        Parallel.forEachRowRange(outFeatures, work: rows * outFeatures * inFeatures, alignment: weight.format.rowAlignment) { begin, end in
            productRows(prepared, rows: rows, k: inFeatures, weight: weight, begin: begin, end: end, into: y,
                        ld: outFeatures, accumulate: accumulate)
        }
    }

    /// Whether this CPU has the instructions (AVX-512 VNNI or AVX2) that make ``integerDotProducts`` pay.
    public static let integerDotProductsAvailable = zoo_int8_dot_available() != 0
    private static let integerDotIndex = Atomic<Bool>(integerDotProductsAvailable)

    /// Whether q8_0 and q4_0 products quantize the activations to 8 bits per block of 32 and use
    /// integer dot products, as llama.cpp does (default: when the CPU has AVX-512 VNNI or AVX2). Off,
    /// the activations stay fp32 and the weights are widened instead: slower, and slightly closer to
    /// the fp32 model. Read at every product for row-major weights, and at load for whether q8_0 and
    /// q4_0 rows are interleaved (``InterleavedFormat/isPreferred``), which always use integer dot products.
    public static var integerDotProducts: Bool {
        get { integerDotIndex.load(ordering: .relaxed) }
        set { integerDotIndex.store(newValue, ordering: .relaxed) }
    }

    /// Calls `body(begin, end)` over the activation rows, split over the cores when there are 16 or more
    /// (quantizing a prompt's activations; a decode step's one row stays on the calling thread).
    static func forEachActivationRowRange(_ rows: Int, _ body: (Int, Int) -> Void) {
        Parallel.forEachRowChunk(rows, serialBelow: 16, body)
    }

    /// Rewrites `rows × inFeatures` q5_0 blocks as q8_0 values and scales: the same weights exactly,
    /// for the q8_0 integer kernel.
    public static func widenQ5_0(
        _ blocks: UnsafePointer<UInt8>, rows: Int, inFeatures k: Int,
        values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>
    ) {
        precondition(k % 32 == 0, "q5_0 rows are a multiple of 32")
        zoo_widen_q5_0(blocks, Int32(rows), Int32(k), values, scales)
    }

    /// Unpacks `rows × inFeatures` q4_K super-blocks (inFeatures a multiple of 256) into q4_Kb32's
    /// nibbles and (scale, min) pairs: the same weights exactly.
    public static func unpackQ4_K(
        _ blocks: UnsafePointer<UInt8>, rows: Int, inFeatures k: Int,
        nibbles: UnsafeMutablePointer<UInt8>, factors: UnsafeMutablePointer<Float>
    ) {
        precondition(k % 256 == 0, "q4_K rows are a multiple of 256")
        zoo_unpack_q4_k_b32(blocks, Int32(rows), Int32(k), nibbles, factors)
    }

    /// Quantizes `rows × inFeatures` fp32 weights (inFeatures a multiple of 32) to q8_0.
    public static func quantizeQ8_0(
        _ w: UnsafePointer<Float>, rows: Int, inFeatures k: Int,
        values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>
    ) {
        precondition(k % 32 == 0, "q8_0 needs rows of a multiple of 32")
        Parallel.forEachRowChunk(rows, serialBelow: 64) { begin, end in
            zoo_quantize_q8_0(w + begin * k, Int32(end - begin), Int32(k), values + begin * k, scales + begin * (k / 32))
        }
    }

    /// Quantizes `rows × inFeatures` fp32 weights (inFeatures a multiple of 32) to q4_0.
    public static func quantizeQ4_0(
        _ w: UnsafePointer<Float>, rows: Int, inFeatures k: Int,
        nibbles: UnsafeMutablePointer<UInt8>, scales: UnsafeMutablePointer<Float>
    ) {
        precondition(k % 32 == 0, "q4_0 needs rows of a multiple of 32")
        Parallel.forEachRowChunk(rows, serialBelow: 64) { begin, end in
            zoo_quantize_q4_0(w + begin * k, Int32(end - begin), Int32(k), nibbles + begin * k / 2, scales + begin * (k / 32))
        }
    }

    /// Widens 16-bit floats to fp32.
    public static func widen(_ source: UnsafePointer<UInt16>, bf16: Bool, into destination: UnsafeMutablePointer<Float>, count: Int) {
        if bf16 { zoo_widen_bf16(source, destination, Int32(count)) } else { zoo_widen_f16(source, destination, Int32(count)) }
    }
}
