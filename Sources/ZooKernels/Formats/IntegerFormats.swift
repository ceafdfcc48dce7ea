import CZooKernels

/// q8_0 and q4_0 quantized at load (row-major values beside an fp32 scale per block of 32), and the
/// integer formats with rows interleaved by 16 for AVX-512 VNNI (``InterleavedFormat``).
extension WeightFormat {
    /// llama.cpp's q8_0 as two arrays: int8 values `[out, in]` and fp32 scales `[out, in / 32]`.
    public static let q8_0 = splitScales("q8_0", valueBytes: 32, integer: zoo_linear_q8_0_x8, widening: zoo_linear_q8_0,
                                         decodeRow: decodeQ8_0Row)

    /// llama.cpp's q4_0 as two arrays: nibbles `[out, in / 2]` (per block of 32, the low nibbles are
    /// the first 16 values) and fp32 scales `[out, in / 32]`; a value is (nibble − 8) × scale.
    public static let q4_0 = splitScales("q4_0", valueBytes: 16, integer: zoo_linear_q4_0_x8, widening: zoo_linear_q4_0,
                                         decodeRow: decodeQ4_0Row)

    typealias SplitScalesKernel<Value> = @Sendable (
        UnsafePointer<Int8>?, UnsafePointer<Float>?, UnsafePointer<Int32>?, Int32, Int32, UnsafePointer<Value>?,
        UnsafePointer<Float>?, Int32, Int32, UnsafeMutablePointer<Float>?, Int32, Int32) -> Void
    typealias SplitScalesWideningKernel<Value> = @Sendable (
        UnsafePointer<Float>?, Int32, Int32, UnsafePointer<Value>?, UnsafePointer<Float>?, Int32, Int32,
        UnsafeMutablePointer<Float>?, Int32, Int32) -> Void

    /// A row-major format of blocks of 32 whose fp32 scales lie apart: 8-bit activations with sums of
    /// four where integer dot products are on (`integer`), fp32 activations where not (`widening`).
    private static func splitScales<Value>(_ name: String, valueBytes: Int, integer: @escaping SplitScalesKernel<Value>,
                                           widening: @escaping SplitScalesWideningKernel<Value>,
                                           decodeRow: @escaping RowDecoder) -> WeightFormat {
        WeightFormat(name, blockValues: 32, blockBytes: valueBytes + 4, activations: .int8QuadSums, kernel: { a, w, c in
            integer(a.values, a.scales, a.sums, c.rows, c.k, w.pointer(Value.self), w.scales, c.begin, c.end, c.y, c.ld,
                    c.accumulate)
        }, wideningKernel: { a, w, c in
            widening(a.x, c.rows, c.k, w.pointer(Value.self), w.scales, c.begin, c.end, c.y, c.ld, c.accumulate)
        }, decodeRow: decodeRow)
    }

    @Sendable private static func decodeQ8_0Row(_ w: WeightData, columns: Int, row: Int, into y: UnsafeMutablePointer<Float>) {
        let (values, scales, blocks) = (w.pointer(Int8.self), w.scales!, columns / 32)
        for i in 0..<columns {
            y[i] = Float(values[row * columns + i]) * scales[row * blocks + i / 32]
        }
    }

    @Sendable private static func decodeQ4_0Row(_ w: WeightData, columns: Int, row: Int, into y: UnsafeMutablePointer<Float>) {
        let (nibbles, scales, blocks) = (w.pointer(UInt8.self), w.scales!, columns / 32)
        for b in 0..<blocks {
            let scale = scales[row * blocks + b]
            for j in 0..<16 {
                let byte = nibbles[row * columns / 2 + b * 16 + j]
                y[b * 32 + j] = Float(Int(byte & 0x0F) - 8) * scale
                y[b * 32 + j + 16] = Float(Int(byte >> 4) - 8) * scale
            }
        }
    }

    /// llama.cpp's q4_K unpacked at load into blocks of 32: nibbles `[out, in / 2]` in q4_0's order and
    /// per block the fp32 pair (d·scale, dmin·min) `[out, in / 32, 2]`; a value is scale × nibble − min.
    /// Read with 8-bit activations by an integer kernel (AVX2), where no interleaved VNNI one runs.
    public static let q4_Kb32 = WeightFormat("q4_Kb32", blockValues: 32, blockBytes: 16 + 8, activations: .int8QuadSums,
                                             kernel: { a, w, c in
        zoo_linear_q4_k_b32_x8(a.values, a.scales, a.sums, c.rows, c.k, w.pointer(UInt8.self), w.scales, c.begin, c.end,
                               c.y, c.ld, c.accumulate)
    }, decodeRow: { w, columns, row, y in
        zoo_decode_row_q4_k_b32(w.pointer(UInt8.self), w.scales, Int32(columns), Int32(row), y)
    })

    /// q8_0 with rows interleaved by 16: 32 int8 values and an fp16 scale per block.
    public static let q8_0x16 = interleaved("q8_0x16", kind: 0, blockBytes: 32 + 2)
    /// q4_0 with rows interleaved by 16: 16 bytes of nibbles and an fp16 scale per block.
    public static let q4_0x16 = interleaved("q4_0x16", kind: 1, blockBytes: 16 + 2)
    /// q5_0 with rows interleaved by 16: nibbles, fifth bits and an fp16 scale per block.
    public static let q5_0x16 = interleaved("q5_0x16", kind: 2, blockBytes: 20 + 2)

    /// llama.cpp's q4_K super-blocks with rows interleaved by 16 (4.625 bits per weight).
    public static let q4_Kx16 = WeightFormat("q4_Kx16", blockValues: 256, blockBytes: 148, activations: .int8BlockSums,
                                             rowAlignment: 32, kernel: { a, w, c in
        zoo_linear_q4_k_x16(a.values, a.scales, a.sums, c.rows, c.k, w.pointer(UInt8.self), c.begin, c.end, c.y, c.ld,
                            c.accumulate)
    }, decodeRow: { w, columns, row, y in
        zoo_unpack_row_q4_k_x16(w.pointer(UInt8.self), Int32(columns), Int32(row), y)
    })

    /// A format of `linear_x16.c` (`kind` is its number there): blocks of 32 with an fp16 scale each,
    /// read by 8-bit activations with block sums, two groups of 16 rows per prefill tile.
    private static func interleaved(_ name: String, kind: Int32, blockBytes: Int) -> WeightFormat {
        WeightFormat(name, blockValues: 32, blockBytes: blockBytes, activations: .int8BlockSums, rowAlignment: 32,
                     kernel: { a, w, c in
            zoo_linear_x16(kind, a.values, a.scales, a.sums, c.rows, c.k, w.pointer(UInt8.self), c.begin, c.end, c.y, c.ld,
                           c.accumulate)
        }, decodeRow: { w, columns, row, y in
            zoo_unpack_row_x16(kind, w.pointer(UInt8.self), Int32(columns), Int32(row), y)
        })
    }
}
