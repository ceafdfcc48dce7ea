import CZooKernels

/// The float formats: fp32 and 16-bit rows, row-major (read in place from a mapping) or in the
/// four-row layout (``FourRowLayout``, copied at load), and bf16 interleaved by 16 for bf16 dot products.
extension WeightFormat {
    /// Row-major fp32, read in place from a mapping (the reference format).
    public static let f32 = WeightFormat("f32", blockBytes: 4, kernel: { a, w, c in
        zoo_linear_f32(a.x, c.rows, c.k, w.pointer(Float.self), c.begin, c.end, c.y, c.ld, c.accumulate)
    }, decodeRow: { w, columns, row, y in
        y.update(from: w.pointer(Float.self) + row * columns, count: columns)
    })

    /// Row-major bf16, widened on the fly and multiplied by fp32 activations (the fp32 path's arithmetic).
    public static let bf16 = WeightFormat("bf16", blockBytes: 2, kernel: { a, w, c in
        zoo_linear_bf16(a.x, c.rows, c.k, w.pointer(UInt16.self), c.begin, c.end, c.y, c.ld, c.accumulate)
    }, decodeRow: { w, columns, row, y in
        zoo_widen_bf16(w.pointer(UInt16.self) + row * columns, y, Int32(columns))
    })

    /// Row-major f16, widened on the fly like ``bf16``.
    public static let f16 = WeightFormat("f16", blockBytes: 2, kernel: { a, w, c in
        zoo_linear_f16(a.x, c.rows, c.k, w.pointer(UInt16.self), c.begin, c.end, c.y, c.ld, c.accumulate)
    }, decodeRow: { w, columns, row, y in
        zoo_widen_f16(w.pointer(UInt16.self) + row * columns, y, Int32(columns))
    })

    /// fp32 in the four-row layout (`weights.mmap: false`).
    public static let f32Rows4 = WeightFormat("f32Rows4", blockBytes: 4, kernel: { a, w, c in
        zoo_linear_f32_rows4(a.x, c.rows, c.k, w.pointer(Float.self), c.begin, c.end, c.y, c.ld, c.accumulate)
    }, decodeRow: { w, columns, row, y in
        FourRowLayout.unpackRow(w.base, columns: columns, elementBytes: 4, row: row, into: y)
    })

    /// bf16 in the four-row layout (fp32 activations, as ``bf16``).
    public static let bf16Rows4 = WeightFormat("bf16Rows4", blockBytes: 2, kernel: { a, w, c in
        zoo_linear_half_rows4(a.x, c.rows, c.k, w.pointer(UInt16.self), c.begin, c.end, c.y, c.ld, c.accumulate, 1)
    }, decodeRow: { w, columns, row, y in
        decodeHalfRows4Row(w, columns: columns, row: row, bf16: true, into: y)
    })

    /// f16 in the four-row layout (fp32 activations, as ``f16``).
    public static let f16Rows4 = WeightFormat("f16Rows4", blockBytes: 2, kernel: { a, w, c in
        zoo_linear_half_rows4(a.x, c.rows, c.k, w.pointer(UInt16.self), c.begin, c.end, c.y, c.ld, c.accumulate, 0)
    }, decodeRow: { w, columns, row, y in
        decodeHalfRows4Row(w, columns: columns, row: row, bf16: false, into: y)
    })

    /// bf16 with rows interleaved by 16, multiplied by bf16-rounded activations (`dtype: bf16`).
    public static let bf16x16 = WeightFormat("bf16x16", blockBytes: 2, activations: .bf16, rowAlignment: 32, kernel: { a, w, c in
        zoo_linear_bf16x16(a.halves, c.rows, c.k, w.pointer(UInt16.self), c.begin, c.end, c.y, c.ld, c.accumulate)
    }, decodeRow: { w, columns, row, y in
        zoo_unpack_row_bf16x16(w.pointer(UInt16.self), Int32(columns), Int32(row), y)
    })

    private static func decodeHalfRows4Row(_ w: WeightData, columns: Int, row: Int, bf16: Bool,
                                           into y: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: columns) { halves in
            FourRowLayout.unpackRow(w.base, columns: columns, elementBytes: 2, row: row, into: halves.baseAddress!)
            MatrixMultiply.widen(halves.baseAddress!, bf16: bf16, into: y, count: columns)
        }
    }
}
