import CZooKernels
import Synchronization

/// The stored form of a weight matrix `[outFeatures, inFeatures]`, as the kernels read it.
public enum WeightData: @unchecked Sendable {
    case f32(UnsafePointer<Float>)
    case bf16(UnsafePointer<UInt16>)
    case f16(UnsafePointer<UInt16>)
    /// fp32 weights in the four-row layout (rows by 4 alternating every 16 columns; see
    /// ``FourRowLayout``), made when `weights.mmap: false` copies a matrix at load.
    case f32Rows4(UnsafePointer<Float>)
    /// bf16 weights in the four-row layout (fp32 activations, as ``bf16(_:)``).
    case bf16Rows4(UnsafePointer<UInt16>)
    /// f16 weights in the four-row layout (fp32 activations, as ``f16(_:)``).
    case f16Rows4(UnsafePointer<UInt16>)
    /// llama.cpp's q8_0: int8 values `[out, in]` and one scale per block of 32 `[out, in / 32]`.
    case q8_0(values: UnsafePointer<Int8>, scales: UnsafePointer<Float>)
    /// llama.cpp's q4_0: packed nibbles `[out, in / 2]` (per block of 32, the low nibbles are the
    /// first 16 values) and one scale per block `[out, in / 32]`; a value is (nibble − 8) × scale.
    case q4_0(nibbles: UnsafePointer<UInt8>, scales: UnsafePointer<Float>)
    /// q8_0 with rows interleaved in groups of 16 for AVX-512 VNNI (see ``InterleavedFormat``).
    case q8_0x16(UnsafePointer<UInt8>)
    /// q4_0 with rows interleaved in groups of 16 for AVX-512 VNNI (see ``InterleavedFormat``).
    case q4_0x16(UnsafePointer<UInt8>)
    /// q5_0 with rows interleaved in groups of 16 for AVX-512 VNNI (see ``InterleavedFormat``).
    case q5_0x16(UnsafePointer<UInt8>)
    /// q4_K with rows interleaved in groups of 16 for AVX-512 VNNI (see ``InterleavedFormat``).
    case q4_Kx16(UnsafePointer<UInt8>)
    /// bf16 with rows interleaved in groups of 16, multiplied by bf16-rounded activations with
    /// AVX-512 BF16 dot products (`dtype: bf16`; see ``InterleavedFormat/bf16``).
    case bf16x16(UnsafePointer<UInt16>)
    /// llama.cpp's q4_K super-blocks read in place, `in / 256` per row (see ``KQuantFormat/q4_K``).
    case q4_K(UnsafePointer<UInt8>)
    /// llama.cpp's q6_K super-blocks read in place, `in / 256` per row (see ``KQuantFormat/q6_K``).
    case q6_K(UnsafePointer<UInt8>)
    /// llama.cpp's q5_K super-blocks read in place, `in / 256` per row (see ``KQuantFormat/q5_K``).
    case q5_K(UnsafePointer<UInt8>)
    /// llama.cpp's q5_0 blocks read in place, `in / 32` per row (see ``KQuantFormat/q5_0``).
    case q5_0(UnsafePointer<UInt8>)
    /// llama.cpp's q5_1 blocks read in place, `in / 32` per row (see ``KQuantFormat/q5_1``).
    case q5_1(UnsafePointer<UInt8>)

    /// The interleaved integer formats' layout and bytes (q8_0, q4_0, q5_0, q4_K with rows by 16).
    var interleavedInteger: (InterleavedFormat, UnsafePointer<UInt8>)? {
        switch self {
        case .q8_0x16(let packed): (.q8_0, packed)
        case .q4_0x16(let packed): (.q4_0, packed)
        case .q5_0x16(let packed): (.q5_0, packed)
        case .q4_Kx16(let packed): (.q4_K, packed)
        default: nil
        }
    }

    /// Bytes read per weight (for bandwidth estimates).
    public var bytesPerWeight: Double {
        switch self {
        case .f32, .f32Rows4: 4
        case .bf16, .f16, .bf16Rows4, .f16Rows4: 2
        case .q8_0: 1 + 4.0 / 32
        case .q4_0: 0.5 + 4.0 / 32
        case .q8_0x16: 1 + 2.0 / 32
        case .q4_0x16: 0.5 + 2.0 / 32
        case .q5_0x16: 0.625 + 2.0 / 32
        case .q4_Kx16: 4.625 / 8
        case .bf16x16: 2
        case .q4_K: KQuantFormat.q4_K.bytesPerWeight  // 4.5 bits
        case .q5_K: KQuantFormat.q5_K.bytesPerWeight  // 5.5 bits
        case .q6_K: KQuantFormat.q6_K.bytesPerWeight  // 6.5625 bits
        case .q5_0: KQuantFormat.q5_0.bytesPerWeight  // 5.5 bits
        case .q5_1: KQuantFormat.q5_1.bytesPerWeight  // 6 bits
        }
    }
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
            guard case .f32(let w) = weight else { preconditionFailure("only fp32 weights leave the native kernels") }
            return linear(x, rows: rows, inFeatures: inFeatures, weight: w, outFeatures: outFeatures, into: y, accumulate: accumulate)
        }
        let prepared = prepare(form, x, rows: rows, k: inFeatures)
        Parallel.forEachRowRange(outFeatures, work: rows * outFeatures * inFeatures, alignment: weight.rowAlignment) { begin, end in
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
        let threads = rows < 16 ? 1 : min(Parallel.threadCount, rows)
        let rowsPerThread = (rows + threads - 1) / threads
        Parallel.forEach(threads) { i in
            let begin = i * rowsPerThread, end = min(rows, begin + rowsPerThread)
            if begin < end { body(begin, end) }
        }
    }

    /// Quantizes `rows × inFeatures` fp32 weights (inFeatures a multiple of 32) to q8_0.
    public static func quantizeQ8_0(
        _ w: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>
    ) {
        precondition(inFeatures % 32 == 0, "q8_0 needs rows of a multiple of 32")
        // Rows are independent: split them over the cores.
        let threads = rows < 64 ? 1 : Parallel.threadCount
        let chunk = (rows + threads - 1) / threads
        Parallel.forEach(threads) { i in
            let begin = i * chunk, end = min(rows, begin + chunk)
            guard begin < end else { return }
            zoo_quantize_q8_0(
                w + begin * inFeatures, Int32(end - begin), Int32(inFeatures),
                values + begin * inFeatures, scales + begin * (inFeatures / 32))
        }
    }

    /// Quantizes `rows × inFeatures` fp32 weights (inFeatures a multiple of 32) to q4_0.
    public static func quantizeQ4_0(
        _ w: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        nibbles: UnsafeMutablePointer<UInt8>, scales: UnsafeMutablePointer<Float>
    ) {
        precondition(inFeatures % 32 == 0, "q4_0 needs rows of a multiple of 32")
        let threads = rows < 64 ? 1 : Parallel.threadCount
        let chunk = (rows + threads - 1) / threads
        Parallel.forEach(threads) { i in
            let begin = i * chunk, end = min(rows, begin + chunk)
            guard begin < end else { return }
            zoo_quantize_q4_0(
                w + begin * inFeatures, Int32(end - begin), Int32(inFeatures),
                nibbles + begin * inFeatures / 2, scales + begin * (inFeatures / 32))
        }
    }

    /// Widens 16-bit floats to fp32.
    public static func widen(_ source: UnsafePointer<UInt16>, bf16: Bool, into destination: UnsafeMutablePointer<Float>, count: Int) {
        if bf16 { zoo_widen_bf16(source, destination, Int32(count)) } else { zoo_widen_f16(source, destination, Int32(count)) }
    }
}
