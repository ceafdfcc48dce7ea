import CZooKernels

/// q8_0 and q4_0 weights with their rows interleaved in groups of 16, the layout QwenZoo's AVX-512
/// VNNI kernels read: one instruction then advances 16 rows by four values each, which makes
/// prompt processing about four times and decoding two to three times faster on one core than the
/// row-major layout. Values and fp16 scales are llama.cpp's, so nothing is lost in the repacking;
/// the layout is described in `linear_x16.c`.
public enum InterleavedFormat: String, Sendable {
    case q8_0 = "q8_0x16"
    case q4_0 = "q4_0x16"

    var isQ4: Int32 { self == .q4_0 ? 1 : 0 }

    /// Whether weights should be packed this way on this machine: the CPU has AVX-512 VNNI and
    /// ``MatrixMultiply/integerDotProducts`` is on. Elsewhere the portable kernel still reads the
    /// layout (a cache file written on another machine), only slowly.
    public static var isPreferred: Bool {
        MatrixMultiply.integerDotProducts && zoo_vnni_available() != 0 && MatrixMultiply.nativeInstructionSet == "avx512f"
    }

    /// Bytes of a `rows × columns` matrix (`columns` a multiple of 32).
    public func byteCount(rows: Int, columns: Int) -> Int { zoo_x16_bytes(isQ4, Int32(rows), Int32(columns)) }

    /// Packs row-major q8_0 values (`Int8`) or q4_0 nibbles with their scales (fp16 values, one per
    /// block of 32) into `destination` (``byteCount(rows:columns:)`` bytes).
    public func pack(values: UnsafeRawPointer, scales: UnsafePointer<Float>, rows: Int, columns: Int,
                     into destination: UnsafeMutablePointer<UInt8>) {
        let groups = (rows + 15) / 16
        let threads = groups < 64 ? 1 : Parallel.threadCount
        let chunk = (groups + threads - 1) / threads
        Parallel.forEach(threads) { i in
            let begin = i * chunk, end = min(groups, begin + chunk)
            guard begin < end else { return }
            zoo_pack_x16(isQ4, values, scales, Int32(rows), Int32(columns), Int32(begin), Int32(end), destination)
        }
    }

    /// Row `row` dequantized to fp32 (an embedding lookup).
    public func unpackRow(_ packed: UnsafePointer<UInt8>, columns: Int, row: Int, into destination: UnsafeMutablePointer<Float>) {
        zoo_unpack_row_x16(isQ4, packed, Int32(columns), Int32(row), destination)
    }

    /// The kernels' view of a packed matrix.
    public func weightData(_ packed: UnsafePointer<UInt8>) -> WeightData {
        self == .q4_0 ? .q4_0x16(packed) : .q8_0x16(packed)
    }
}

extension MatrixMultiply {
    static func interleavedLinear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures k: Int, packed: UnsafePointer<UInt8>, format: InterleavedFormat,
        outFeatures: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        precondition(k % 32 == 0, "interleaved weights need rows of a multiple of 32")
        // [rows, k] int8 values, then [rows, k/32] block sums, then [rows, k/32] scales.
        let blocks = k / 32
        let scratch = ThreadScratch.bytes(.integerActivations, rows * k + 8 * rows * blocks)
        let xq = scratch.assumingMemoryBound(to: Int8.self)
        let bsum = (scratch + rows * k).assumingMemoryBound(to: Int32.self)
        let xd = (scratch + rows * k + 4 * rows * blocks).assumingMemoryBound(to: Float.self)
        let quantizeThreads = rows < 16 ? 1 : min(Parallel.threadCount, rows)
        let rowsPerThread = (rows + quantizeThreads - 1) / quantizeThreads
        Parallel.forEach(quantizeThreads) { i in
            let begin = i * rowsPerThread, end = min(rows, begin + rowsPerThread)
            guard begin < end else { return }
            zoo_quantize_activations_bsum(
                x + begin * k, Int32(end - begin), Int32(k), xq + begin * k, xd + begin * blocks, bsum + begin * blocks)
        }
        // Threads split the rows in whole groups of 16 (32 when there are enough, the kernel's tile).
        let work = rows * outFeatures * k
        let threads = work < 1 << 17 ? 1 : min(Parallel.threadCount, max(1, outFeatures / 32))
        let aligned = ((outFeatures + threads - 1) / threads + 31) / 32 * 32
        let acc: Int32 = accumulate ? 1 : 0
        Parallel.forEach(threads) { i in
            let begin = i * aligned, end = min(outFeatures, begin + aligned)
            guard begin < end else { return }
            zoo_linear_x16(format.isQ4, xq, xd, bsum, Int32(rows), Int32(k), packed, Int32(begin), Int32(end),
                           y, Int32(outFeatures), acc)
        }
    }
}
