import Foundation
import ZooKernels

/// How the runtime keeps a checkpoint's weight matrices in memory.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// As stored: fp32 stays fp32, bf16/f16 stay 16-bit (read in place from the mapping).
    case asStored = "auto"
    /// Everything widened to fp32 at load (the simple reference path).
    case f32
    /// Quantized at load to llama.cpp's q8_0 (8-bit blocks of 32 with a scale); matrices whose
    /// width is not a multiple of 32 stay as stored.
    case q8_0
    /// Quantized at load to llama.cpp's q4_0 (4-bit blocks of 32 with a scale), likewise.
    case q4_0
    /// Quantized at load to llama.cpp's q4_K (super-blocks of 256, 4.5 bits per weight), bit for
    /// bit as llama.cpp's quantizer writes it without an importance matrix. Matrices whose width is
    /// a multiple of 32 but not of 256 get q5_0 instead, llama.cpp's own fallback (Qwen2.5-0.5B's
    /// rows of 896); others stay as stored.
    case q4_K
    /// bf16 weights (rounded to bf16 at load if stored wider) whose products round the activations
    /// to bf16 too, with fp32 accumulation: what PyTorch's `torch.bfloat16` and llama.cpp's BF16
    /// compute. With AVX-512 BF16 faster prompts than `auto` (BENCHMARKS.md, "Layout measurements"); the
    /// logits move by ~1e-2 relative, where `auto` keeps fp32 activations (within 1e-4 of fp32).
    case bf16

    /// Whether this precision quantizes at load.
    var isQuantized: Bool { self == .q8_0 || self == .q4_0 || self == .q4_K }
}

/// One weight matrix `[rows, columns]` in the form the kernels read, owning (or mapping) its memory.
final class WeightTensor: @unchecked Sendable {
    enum Storage {
        case f32(FloatBuffer)
        case half(HalfBuffer)
        case q8_0(values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>)
        case q4_0(nibbles: UnsafeMutablePointer<UInt8>, scales: UnsafeMutablePointer<Float>)
        /// q4_K unpacked into blocks of 32 for the AVX2 integer kernel (``WeightFormat/q4_Kb32``).
        case q4_Kb32(nibbles: UnsafeMutablePointer<UInt8>, factors: UnsafeMutablePointer<Float>)
        /// Blocks read in place from a GGUF file (the ``KQuantFormat`` types).
        case kQuant(KQuantBuffer)
        /// q8_0 or q4_0 with rows interleaved for the VNNI kernels.
        case interleaved(InterleavedBuffer)
        /// fp32 or 16-bit rows copied at load into the four-row layout (`weights.mmap: false`).
        case fourRows(FourRowBuffer)
    }

    let storage: Storage
    let rows: Int
    let columns: Int
    /// The mapping that owns the memory, when the matrix lies in a file (nothing to free).
    private let mapping: MappedFile?

    init(_ storage: Storage, rows: Int, columns: Int, mappedFrom mapping: MappedFile? = nil) {
        self.storage = storage
        self.rows = rows
        self.columns = columns
        self.mapping = mapping
    }

    convenience init(_ buffer: FloatBuffer, rows: Int, columns: Int) {
        self.init(.f32(buffer), rows: rows, columns: columns)
    }

    deinit {
        guard mapping == nil else { return }
        switch storage {
        case .q8_0(let values, let scales):
            values.deallocate()
            scales.deallocate()
        case .q4_0(let nibbles, let scales), .q4_Kb32(let nibbles, let scales):
            nibbles.deallocate()
            scales.deallocate()
        default:
            break
        }
    }

    /// Loads a matrix from a checkpoint in the requested precision.
    static func load(_ checkpoint: Checkpoint, _ name: String, rows: Int, columns: Int, precision: WeightPrecision) throws
        -> WeightTensor
    {
        let dtype = checkpoint.info(name)?.dtype
        switch precision {
        case .bf16 where columns % 2 == 0:
            let stored = dtype == .bf16 || dtype == .f16
                ? WeightTensor(.half(try checkpoint.halves(name, shape: [rows, columns])), rows: rows, columns: columns)
                : WeightTensor(try checkpoint.floats(name, shape: [rows, columns]), rows: rows, columns: columns)
            return stored.quantized(to: .bf16)
        case .q8_0 where columns % 32 == 0, .q4_0 where columns % 32 == 0, .q4_K where columns % 32 == 0:
            return try WeightTensor(checkpoint.floats(name, shape: [rows, columns]), rows: rows, columns: columns)
                .quantized(to: precision)
        case .asStored where dtype == .bf16 || dtype == .f16, .q8_0 where dtype == .bf16 || dtype == .f16,
             .q4_0 where dtype == .bf16 || dtype == .f16, .q4_K where dtype == .bf16 || dtype == .f16:
            return WeightTensor(.half(try checkpoint.halves(name, shape: [rows, columns])), rows: rows, columns: columns)
                .copiedIntoArena()
        default:
            return WeightTensor(try checkpoint.floats(name, shape: [rows, columns]), rows: rows, columns: columns)
                .copiedIntoArena()
        }
    }

    /// What the kernels read.
    var data: WeightData {
        switch storage {
        case .f32(let buffer): .f32(buffer.pointer)
        case .half(let buffer): buffer.format == .bf16 ? .bf16(buffer.pointer) : .f16(buffer.pointer)
        case .q8_0(let values, let scales): .q8_0(values: values, scales: scales)
        case .q4_0(let nibbles, let scales): .q4_0(nibbles: nibbles, scales: scales)
        case .q4_Kb32(let nibbles, let factors): .q4_Kb32(nibbles: nibbles, factors: factors)
        case .kQuant(let buffer): buffer.weightData
        case .interleaved(let buffer): buffer.weightData
        case .fourRows(let buffer): buffer.weightData
        }
    }

    /// Copies row `index` as fp32 into `destination` (an embedding lookup).
    func copyRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        data.decodeRow(index, columns: columns, into: destination)
    }

    /// This matrix quantized to q8_0 (itself if already quantized or not a multiple of 32 wide).
    func quantized() -> WeightTensor { quantized(to: .q8_0) }

    /// This matrix quantized to `precision` (q8_0, q4_0, or q4_K with its q5_0 fallback); itself if
    /// it is already quantized, the precision is not a quantized one, or the rows are not a multiple
    /// of 32 wide.
    func quantized(to precision: WeightPrecision) -> WeightTensor {
        if precision == .bf16 { return bf16Interleaved().releasingSource(self) }
        guard columns % 32 == 0, precision.isQuantized else { return self }
        switch storage {
        case .q8_0, .q4_0, .q4_Kb32, .kQuant, .interleaved: return self
        default: break
        }
        defer { releaseMappedPages() }
        if precision == .q4_K {
            let blocks = KQuantBuffer(quantizing: columns % 256 == 0 ? .q4_K : .q5_0, rows: rows, columns: columns) {
                forEachFloatSlice($0)
            }
            return WeightTensor(.kQuant(blocks), rows: rows, columns: columns).inPreferredIntegerLayout()
        }
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns / 32)
        let values8 = precision == .q8_0 ? UnsafeMutablePointer<Int8>.allocate(capacity: rows * columns) : nil
        let values4 = precision == .q4_0 ? UnsafeMutablePointer<UInt8>.allocate(capacity: rows * columns / 2) : nil
        func quantize(_ w: UnsafePointer<Float>, firstRow: Int, count: Int) {
            if let values8 {
                MatrixMultiply.quantizeQ8_0(w, rows: count, inFeatures: columns, values: values8 + firstRow * columns,
                                            scales: scales + firstRow * (columns / 32))
            } else if let values4 {
                MatrixMultiply.quantizeQ4_0(w, rows: count, inFeatures: columns, nibbles: values4 + firstRow * columns / 2,
                                            scales: scales + firstRow * (columns / 32))
            }
        }
        forEachFloatSlice(quantize)
        if let values8 { return WeightTensor(.q8_0(values: values8, scales: scales), rows: rows, columns: columns).inPreferredIntegerLayout() }
        return WeightTensor(.q4_0(nibbles: values4!, scales: scales), rows: rows, columns: columns).inPreferredIntegerLayout()
    }

    /// With ``ModelOptions/mapWeights`` off: a memory-mapped f32 or 16-bit matrix copied into the
    /// huge-page weight arena in ``FourRowLayout``, its file pages released. Decode reads it faster
    /// (fewer TLB misses, activations kept in L1) and prompts run faster, at the price of the copy at
    /// load (figures: BENCHMARKS.md, "Layout measurements"). A matrix whose shape does not fit the
    /// layout (rows not a multiple of 4 or columns of 16; no Qwen matrix) stays mapped.
    func copiedIntoArena() -> WeightTensor {
        guard Self.copiesMappedWeights, FourRowLayout.fits(rows: rows, columns: columns) else { return self }
        let copy: FourRowBuffer
        switch storage {
        case .f32(let buffer) where buffer.isMapped:
            copy = FourRowBuffer(packing: buffer.pointer, element: .f32, rows: rows, columns: columns)
        case .half(let buffer) where buffer.isMapped:
            copy = FourRowBuffer(packing: buffer.pointer, element: buffer.format == .bf16 ? .bf16 : .f16, rows: rows, columns: columns)
        default:
            return self
        }
        releaseMappedPages()
        return WeightTensor(.fourRows(copy), rows: rows, columns: columns)
    }

    /// Set for the duration of a load whose options turn ``ModelOptions/mapWeights`` off.
    @TaskLocal static var copiesMappedWeights = false

    /// Returns self, having released `source`'s mapped pages if self is a converted copy of it.
    private func releasingSource(_ source: WeightTensor) -> WeightTensor {
        if source !== self { source.releaseMappedPages() }
        return self
    }

    /// Drops the file pages of a mapped f32 or 16-bit matrix whose contents were converted.
    private func releaseMappedPages() {
        switch storage {
        case .f32(let buffer): buffer.releaseMappedPages()
        case .half(let buffer): buffer.releaseMappedPages()
        default: break
        }
    }

    /// This matrix in bf16 with rows interleaved for bf16 dot products (`dtype: bf16`): f32 and f16
    /// weights are rounded to bf16; quantized matrices and odd widths stay as they are.
    private func bf16Interleaved() -> WeightTensor {
        guard columns % 2 == 0 else { return self }
        switch storage {
        case .half(let buffer) where buffer.format == .bf16:
            return WeightTensor(.interleaved(InterleavedBuffer(packingBF16: buffer.pointer, rows: rows, columns: columns)),
                                rows: rows, columns: columns)
        case .f32, .half:
            let rounded = UnsafeMutablePointer<UInt16>.allocate(capacity: rows * columns)
            defer { rounded.deallocate() }
            forEachFloatSlice { w, first, count in
                MatrixMultiply.roundToBF16(w, count: count * self.columns, into: rounded + first * self.columns)
            }
            return WeightTensor(.interleaved(InterleavedBuffer(packingBF16: rounded, rows: rows, columns: columns)),
                                rows: rows, columns: columns)
        default:
            return self
        }
    }

    /// Whether q5_0 matrices are rewritten as q8_0 at load: where integer dot products run in SIMD
    /// without the interleaved VNNI path (AVX2, AVX-512 without VNNI, NEON). The values are the same,
    /// and the q8_0 integer kernel reads them instead of dequantizing every block to fp32 for every
    /// product, for 34 bytes per block instead of 22 (BENCHMARKS.md, AVX2 section).
    /// `ZOO_INTEGER_REPACK=0` keeps q5_0 and q4_K as stored, for when memory matters more than speed.
    static var widensQ5_0: Bool {
        MatrixMultiply.integerDotProducts && !InterleavedFormat.isPreferred && MatrixMultiply.nativeInstructionSet != "generic"
            && ProcessInfo.processInfo.environment["ZOO_INTEGER_REPACK"] != "0"
    }

    /// Whether q4_K matrices are unpacked at load into blocks of 32 (``WeightFormat/q4_Kb32``) for the
    /// AVX2 integer kernel: on x86 without the interleaved VNNI path. The same weights, 24 bytes per 32
    /// instead of 18; NEON keeps its in-place q4_K kernel.
    static var unpacksQ4_K: Bool {
        widensQ5_0 && ["avx2", "avx512f"].contains(MatrixMultiply.nativeInstructionSet)
    }

    /// This matrix in the layout this CPU's integer kernels read fastest: q8_0, q4_0, q5_0 and q4_K
    /// rows interleaved for the VNNI kernels (``InterleavedFormat/isPreferred``), q5_0 widened to q8_0
    /// (``widensQ5_0``), q4_K in blocks of 32 (``unpacksQ4_K``); otherwise, or for other formats, itself.
    func inPreferredIntegerLayout() -> WeightTensor {
        if Self.widensQ5_0, case .kQuant(let blocks) = storage, blocks.format == .q5_0 {
            let values = UnsafeMutablePointer<Int8>.allocate(capacity: rows * columns)
            let scales = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns / 32)
            MatrixMultiply.widenQ5_0(blocks.blocks, rows: rows, inFeatures: columns, values: values, scales: scales)
            return WeightTensor(.q8_0(values: values, scales: scales), rows: rows, columns: columns)
        }
        if Self.unpacksQ4_K, case .kQuant(let blocks) = storage, blocks.format == .q4_K {
            let nibbles = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * columns / 2)
            let factors = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns / 16)
            MatrixMultiply.unpackQ4_K(blocks.blocks, rows: rows, inFeatures: columns, nibbles: nibbles, factors: factors)
            return WeightTensor(.q4_Kb32(nibbles: nibbles, factors: factors), rows: rows, columns: columns)
        }
        guard InterleavedFormat.isPreferred, columns % 32 == 0 else { return self }
        let buffer: InterleavedBuffer
        switch storage {
        case .q8_0(let values, let scales):
            buffer = InterleavedBuffer(packing: values, scales: scales, format: .q8_0, rows: rows, columns: columns)
        case .q4_0(let nibbles, let scales):
            buffer = InterleavedBuffer(packing: nibbles, scales: scales, format: .q4_0, rows: rows, columns: columns)
        case .kQuant(let blocks) where blocks.format == .q5_0 || blocks.format == .q4_K:
            buffer = InterleavedBuffer(packingGGUF: blocks.blocks, format: blocks.format == .q5_0 ? .q5_0 : .q4_K,
                                       rows: rows, columns: columns)
        default:
            return self
        }
        return WeightTensor(.interleaved(buffer), rows: rows, columns: columns)
    }

    /// Calls `body(rows, firstRow, count)` over this matrix as fp32: at once when it is fp32, else
    /// a slice of rows widened at a time, which keeps the temporary small.
    private func forEachFloatSlice(_ body: (UnsafePointer<Float>, Int, Int) -> Void) {
        if case .f32(let buffer) = storage {
            return body(buffer.pointer, 0, rows)
        }
        let slice = 256
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: slice * columns)
        defer { scratch.deallocate() }
        var row = 0
        while row < rows {
            let count = min(slice, rows - row)
            for r in 0..<count { copyRow(row + r, into: scratch + r * columns) }
            body(scratch, row, count)
            row += count
        }
    }
}
