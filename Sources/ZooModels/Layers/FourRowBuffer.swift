import ZooKernels

/// An fp32 or 16-bit matrix copied into the weight arena in ``FourRowLayout`` (`weights.mmap: false`).
final class FourRowBuffer: @unchecked Sendable {
    enum Element {
        case f32, bf16, f16

        var bytes: Int { self == .f32 ? 4 : 2 }
    }

    let element: Element
    let rows: Int
    let columns: Int
    private let bytes: UnsafeRawPointer
    /// The arena chunk holding the matrix.
    private let chunk: WeightChunk

    /// Packs row-major `source` (`rows × columns` values of `element`; see ``FourRowLayout/fits(rows:columns:)``).
    init(packing source: UnsafeRawPointer, element: Element, rows: Int, columns: Int) {
        let count = rows * columns * element.bytes
        let (memory, chunk) = WeightArena.allocate(count)
        FourRowLayout.pack(source, rows: rows, columns: columns, elementBytes: element.bytes, into: memory)
        self.element = element
        self.rows = rows
        self.columns = columns
        bytes = UnsafeRawPointer(memory)
        self.chunk = chunk
    }

    var weightData: WeightData {
        switch element {
        case .f32: .f32Rows4(bytes.assumingMemoryBound(to: Float.self))
        case .bf16: .bf16Rows4(bytes.assumingMemoryBound(to: UInt16.self))
        case .f16: .f16Rows4(bytes.assumingMemoryBound(to: UInt16.self))
        }
    }

    /// Row `index` as fp32 (an embedding lookup).
    func copyRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        if element == .f32 {
            return FourRowLayout.unpackRow(bytes, columns: columns, elementBytes: 4, row: index, into: destination)
        }
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: columns) { halves in
            FourRowLayout.unpackRow(bytes, columns: columns, elementBytes: 2, row: index, into: halves.baseAddress!)
            MatrixMultiply.widen(halves.baseAddress!, bf16: element == .bf16, into: destination, count: columns)
        }
    }
}
