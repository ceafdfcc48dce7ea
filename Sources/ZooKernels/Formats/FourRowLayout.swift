import CZooKernels

/// The four-row layout of fp32 and 16-bit weights copied at load (`weights.mmap: false`): rows in
/// groups of four that alternate every 16 columns, `[rows / 4][columns / 16][4][16]`.
///
/// Why: a decode step reads a row-major matrix one row after another, and once a row is longer than
/// a few thousand columns the activations it is multiplied with no longer stay in the L1 cache
/// beside the streamed weights. Four rows side by side are still one stream, but each activation
/// chunk is loaded once for four rows (figures: BENCHMARKS.md, "Layout measurements"). The products
/// equal the row-major kernels' bit for bit.
public enum FourRowLayout {
    /// Whether a `rows × columns` matrix can take the layout (rows a multiple of 4, columns of 16).
    public static func fits(rows: Int, columns: Int) -> Bool {
        rows > 0 && rows % 4 == 0 && columns % 16 == 0
    }

    /// Packs a row-major matrix of `elementBytes`-byte values (4 or 2) into `destination` (as many
    /// bytes), split over the cores (fresh memory's page faults are most of the cost).
    public static func pack(_ source: UnsafeRawPointer, rows: Int, columns: Int, elementBytes: Int,
                            into destination: UnsafeMutableRawPointer) {
        precondition(fits(rows: rows, columns: columns), "the four-row layout needs rows % 4 == 0 and columns % 16 == 0")
        Parallel.forEachRowChunk(rows / 4, serialBelow: 64) { begin, end in
            zoo_pack_rows4(source, Int32(columns), Int32(elementBytes), Int32(begin), Int32(end), destination)
        }
    }

    /// Row `row` of a packed matrix, back in row-major order (`columns` values of `elementBytes`).
    public static func unpackRow(_ packed: UnsafeRawPointer, columns: Int, elementBytes: Int, row: Int,
                                 into destination: UnsafeMutableRawPointer) {
        zoo_unpack_row_rows4(packed, Int32(columns), Int32(elementBytes), Int32(row), destination)
    }
}
